import asyncio
import threading

from appliance.audio import frame_bytes
from appliance.call.playout import OutboundAudio

RATE = 8000
FB = frame_bytes(RATE)


def make():
    loop = asyncio.new_event_loop()
    progress = []
    out = OutboundAudio(RATE, loop, lambda: progress.append(1))
    return loop, out, progress


def test_idle_playout_gives_silence_and_is_not_busy():
    loop, out, _ = make()
    assert out.next_frame() == b"\x00" * FB
    assert not out.busy
    loop.close()


def test_a_sentence_plays_whole_and_is_reported_finished():
    loop, out, _ = make()
    seg = out.begin("Hello there.")
    out.push(seg, b"\x01\x00" * (FB // 2) * 3 + b"\x01\x00" * 10)  # 3 frames and a bit
    out.end(seg)  # the bit is padded to a fourth frame
    frames = [out.next_frame() for _ in range(4)]
    assert all(len(f) == FB for f in frames) and frames[0][:2] == b"\x01\x00"
    assert [s.text for s in out.take_finished()] == ["Hello there."]
    assert not out.busy and out.first_frame_at is not None
    loop.close()


def test_clear_stops_at_the_next_frame_and_reports_the_words_played():
    loop, out, _ = make()
    seg = out.begin("one two three four five six seven eight nine ten")
    out.push(seg, b"\x02\x00" * (FB // 2) * 10)
    out.end(seg)
    later = out.begin("This sentence never plays.")
    out.push(later, b"\x03\x00" * (FB // 2) * 5)
    for _ in range(3):
        out.next_frame()
    report = out.clear()
    assert out.next_frame() == b"\x00" * FB  # nothing plays after the clear
    assert report.text == "one two three"
    assert not report.complete
    loop.close()


def test_next_frame_is_safe_from_another_thread():
    loop, out, _ = make()
    seg = out.begin("x")
    out.push(seg, b"\x04\x00" * (FB // 2) * 500)
    out.end(seg)
    got = []
    t = threading.Thread(target=lambda: got.extend(out.next_frame() for _ in range(500)))
    t.start()
    t.join()
    assert len(got) == 500 and all(f[:2] == b"\x04\x00" for f in got)
    loop.close()


def test_a_held_sentence_goes_on_from_where_it_stopped_and_counts_only_what_played():
    loop, out, _ = make()
    seg = out.begin("one two three four five six seven eight nine ten")
    out.push(seg, b"\x02\x00" * (FB // 2) * 10)
    out.end(seg)
    played = [out.next_frame() for _ in range(3)]
    out.pause()  # caller sound over the agent: hold at the next frame
    held = [out.next_frame() for _ in range(5)]
    assert all(f == b"\x00" * FB for f in held) and out.busy
    assert seg.played_text() == "one two three"
    out.resume()  # it was an "uh-huh": the rest plays
    rest = [out.next_frame() for _ in range(7)]
    assert all(f[:2] == b"\x02\x00" for f in played + rest)
    assert [s.text for s in out.take_finished()] == [seg.text]
    loop.close()


def test_clearing_a_held_playout_leaves_it_ready_for_the_next_reply():
    loop, out, _ = make()
    seg = out.begin("one two")
    out.push(seg, b"\x02\x00" * (FB // 2) * 4)
    out.pause()
    out.clear()
    seg = out.begin("three")
    out.push(seg, b"\x03\x00" * (FB // 2))
    out.end(seg)
    assert out.next_frame()[:2] == b"\x03\x00"
    loop.close()
