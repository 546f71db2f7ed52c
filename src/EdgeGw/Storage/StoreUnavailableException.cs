namespace EdgeGw.Storage;

/// <summary>
/// The database cannot be written (or read) right now: disk full, I/O error, locked, gone. Admin
/// writes answer it with 503; the spend writer keeps its rows and retries.
/// </summary>
internal sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
