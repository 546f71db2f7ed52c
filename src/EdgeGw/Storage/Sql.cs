using Microsoft.Data.Sqlite;

namespace EdgeGw.Storage;

/// <summary>Small helpers for parameters and nullable columns.</summary>
internal static class Sql
{
    public static SqliteCommand Command(SqliteConnection connection, string text, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = tx;
        return command;
    }

    public static void Add(this SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);

    public static string? StringOrNull(this SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
    public static long? LongOrNull(this SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt64(i);
    public static int? IntOrNull(this SqliteDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetInt32(i);

    public static long? Ms(DateTimeOffset? time) => time?.ToUnixTimeMilliseconds();
    public static DateTimeOffset? Time(long? ms) => ms is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms.Value);
}
