"""The transport-agnostic call pipeline: CallSession and its stages (listener, speaker, ending,
latency) on one typed inbox, the composition root (assembly.py), turn taking, barge-in, outbound audio."""
