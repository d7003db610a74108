"""The front door: Kamailio on the public SIP port, N Wardline SIP workers on loopback behind it.

plan.py     how many workers, which ports (pure)
kamailio.py the Kamailio configuration generated from Settings (pure text)
install.py  write it, check it with `kamailio -c`, replace a working one only with a valid one
supervise.py run Kamailio and the workers as children (`wardline serve`)
status.py   each worker's calls, for `wardline status`
"""
