"""The transport-agnostic call pipeline: CallSession, turn taking, barge-in, outbound audio."""
