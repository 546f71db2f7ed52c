using Microsoft.AspNetCore.Connections;

namespace EdgeGw.Api;

/// <summary>
/// Closes a connection that sends nothing within the request-headers timeout. Kestrel only starts
/// that timeout at the first byte; before it, a silent connection is held for the keep-alive timeout.
/// </summary>
internal static class FirstByteTimeout
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(TimeSpan timeout) => next => async connection =>
    {
        using (var silent = new CancellationTokenSource(timeout))
        {
            try
            {
                var result = await connection.Transport.Input.ReadAsync(silent.Token);
                // Examined nothing: Kestrel's own first read sees the same bytes.
                connection.Transport.Input.AdvanceTo(result.Buffer.Start);
                if (result.IsCompleted && result.Buffer.IsEmpty)
                    return;
            }
            catch (OperationCanceledException)
            {
                connection.Abort(new ConnectionAbortedException("no request within the request headers timeout"));
                return;
            }
        }
        await next(connection);
    };
}
