namespace EdgeGw.Observability.Logging;

/// <summary>EdgeGw's console logging: lines formatted on the caller's thread, written in batches to stdout.</summary>
internal sealed class ConsoleLoggerProvider(bool json, Stream output, TimeProvider? time = null) : ILoggerProvider
{
    private readonly LogSink _sink = new(output);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public ILogger CreateLogger(string categoryName) => Create(categoryName);

    /// <summary>The logger itself, for entries written as UTF-8 (<see cref="ConsoleLogger.Write{TEntry}"/>).</summary>
    public ConsoleLogger Create(string categoryName) => new(categoryName, json, _sink, _time);

    public void Dispose() => _sink.Dispose();
}
