namespace EdgeGw.Storage;

/// <summary>The database cannot be opened or used; the message says what to do about it.</summary>
internal sealed class StoreException(string message, Exception? inner = null) : Exception(message, inner);
