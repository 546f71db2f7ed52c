using SQLitePCL;

namespace EdgeGw.Storage;

/// <summary>
/// Binds Microsoft.Data.Sqlite to SQLite once per process. The native binary links SQLite in
/// statically (DirectPInvoke "e_sqlite3" → libsqlite3.a), so nothing is loaded at run time; under
/// JIT the provider's "e_sqlite3" is resolved to the system's libsqlite3.so.0 (Debian: libsqlite3-0)
/// because the mirror has no bundle package with its own copy.
/// </summary>
internal static class SqliteNative
{
    private static readonly Lock Gate = new();
    private static bool s_initialized;

    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (s_initialized)
                return;
            JitNativeLibrary.Map(typeof(SQLite3Provider_e_sqlite3).Assembly, "e_sqlite3",
                ["libsqlite3.so.0", "libsqlite3.so", "libsqlite3.dylib", "winsqlite3.dll", "e_sqlite3"]);
            raw.SetProvider(new SQLite3Provider_e_sqlite3());
            s_initialized = true;
        }
    }
}
