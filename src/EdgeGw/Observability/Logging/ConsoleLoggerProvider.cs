namespace EdgeGw.Observability.Logging;

/// <summary>EdgeGw's console logging: lines formatted on the caller's thread, written in batches to stdout.</summary>
internal sealed class ConsoleLoggerProvider(bool json, Stream output) : ILoggerProvider
{
    private readonly LogSink _sink = new(output);

    public ILogger CreateLogger(string categoryName) => new ConsoleLogger(categoryName, json, _sink);

    public void Dispose() => _sink.Dispose();
}
