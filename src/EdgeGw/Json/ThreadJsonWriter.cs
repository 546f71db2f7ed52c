using System.Buffers;
using System.Text.Json;

namespace EdgeGw.Json;

/// <summary>
/// A <see cref="Utf8JsonWriter"/> kept per thread for synchronous writers on the request path: a new one is 136 B
/// a request (two per translated answer). Used as <c>using var lease = ThreadJsonWriter.Rent(output, out var json);</c>,
/// never across an await; disposing the lease flushes. A second rent on the same thread while one is out (a writer
/// nested in another) gets a writer of its own, so nesting stays correct, only not free.
/// </summary>
internal readonly struct ThreadJsonWriter : IDisposable
{
    [ThreadStatic] private static Utf8JsonWriter? t_writer;
    [ThreadStatic] private static bool t_rented;

    private readonly Utf8JsonWriter _writer;
    private readonly bool _owned;

    private ThreadJsonWriter(Utf8JsonWriter writer, bool owned)
    {
        _writer = writer;
        _owned = owned;
    }

    public static ThreadJsonWriter Rent(IBufferWriter<byte> output, out Utf8JsonWriter json)
    {
        if (t_rented)
        {
            json = new Utf8JsonWriter(output, JsonOptions.Writer);
            return new(json, owned: true);
        }
        t_rented = true;
        json = t_writer ??= new Utf8JsonWriter(output, JsonOptions.Writer);
        json.Reset(output);
        return new(json, owned: false);
    }

    public void Dispose()
    {
        if (_writer is null)
            return;
        if (_owned)
        {
            _writer.Dispose();
            return;
        }
        try
        {
            _writer.Flush();
        }
        finally
        {
            // Dropped, not kept: the output is usually a pooled buffer going back to its pool.
            _writer.Reset(Stream.Null);
            t_rented = false;
        }
    }
}
