using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace EdgeGw.Api;

/// <summary>
/// Gives Kestrel's own HTTP/1.1 rejections (431, 414, 400, 408…) the JSON error envelope. Kestrel
/// writes them to the connection before any middleware runs, so this wraps the connection's output:
/// bytes written while the app handles a request pass straight through; bytes written between
/// requests (Kestrel's end of a response, or its rejection of the next one) are held until the flush
/// and rewritten by <see cref="ProtocolErrorResponse"/> when they are such a rejection.
/// </summary>
internal sealed class ProtocolErrorBodies : PipeWriter
{
    private static ReadOnlySpan<byte> Http2Preface => "PRI * HTTP/2.0"u8;

    private readonly PipeWriter _inner;
    private ArrayBufferWriter<byte>? _held;
    private bool _batchStarted;
    private bool _holding;

    internal ProtocolErrorBodies(PipeWriter inner) => _inner = inner;

    /// <summary>Set by the dispatcher around each request: what is written meanwhile is the app's.</summary>
    public bool AppHandling { get; set; }

    /// <summary>Connection middleware; goes inside TLS so it sees HTTP/1.1 bytes. HTTP/2 connections are left alone (its errors are frames).</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware() => next => async connection =>
    {
        if (IsHttp2(connection))
        {
            await next(connection);
            return;
        }
        var transport = connection.Transport;
        var output = new ProtocolErrorBodies(transport.Output);
        connection.Features.Set(output);
        connection.Transport = new DuplexPipe(transport.Input, output);
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    };

    private static bool IsHttp2(ConnectionContext connection)
    {
        if (connection.Features.Get<ITlsApplicationProtocolFeature>() is { } alpn)
            return alpn.ApplicationProtocol.Span.SequenceEqual("h2"u8);
        // Cleartext: ConnectionGate has already waited for the first bytes, so this does not block.
        var input = connection.Transport.Input;
        if (!input.TryRead(out var first))
            return false;
        // A preface split across segments reads as HTTP/1.1: the wrapper then only copies, never rewrites, its frames.
        var isHttp2 = first.Buffer.FirstSpan.StartsWith(Http2Preface);
        input.AdvanceTo(first.Buffer.Start);
        return isHttp2;
    }

    // Holding is decided once per flushed batch, so memory handed out before a switch is always advanced on the writer it came from.
    private bool Holding
    {
        get
        {
            if (!_batchStarted)
                (_batchStarted, _holding) = (true, !AppHandling);
            return _holding;
        }
    }

    public override void Advance(int bytes)
    {
        if (_holding)
            _held!.Advance(bytes);
        else
            _inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Holding ? Held.GetMemory(sizeHint) : _inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Holding ? Held.GetSpan(sizeHint) : _inner.GetSpan(sizeHint);

    private ArrayBufferWriter<byte> Held => _held ??= new ArrayBufferWriter<byte>(512);

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (Holding)
        {
            Held.Write(source.Span);
            return FlushAsync(cancellationToken);
        }
        _batchStarted = false;
        return _inner.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        Release();
        return _inner.FlushAsync(cancellationToken);
    }

    private void Release()
    {
        if (_holding && _held is { WrittenCount: > 0 } held)
        {
            if (!ProtocolErrorResponse.TryRewrite(held.WrittenSpan, _inner))
                _inner.Write(held.WrittenSpan);
            held.ResetWrittenCount();
        }
        _batchStarted = false;
    }

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes + (_holding ? _held?.WrittenCount ?? 0 : 0);

    public override void Complete(Exception? exception = null)
    {
        Release();
        _inner.Complete(exception);
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Release();
        return _inner.CompleteAsync(exception);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
