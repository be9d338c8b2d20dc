public enum FuzzHarnesses {}
