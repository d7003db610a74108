"""Speech recognition engines behind one small interface (base.AsrEngine)."""
