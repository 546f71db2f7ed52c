using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// An OTLP/gRPC collector stand-in: cleartext HTTP/2 (h2c) on loopback, answering each
/// TraceService/Export with an empty message and <c>grpc-status: 0</c>; keeps the unframed request messages.
/// </summary>
public sealed class OtlpGrpcSink : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OtlpGrpcSink(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public ConcurrentQueue<(string Path, string ContentType, byte[] Message)> Exports { get; } = new();

    public static async Task<OtlpGrpcSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        OtlpGrpcSink? self = null;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            // gRPC framing: 1 byte compressed flag, 4 bytes big-endian length, then the message.
            var framed = body.ToArray();
            self!.Exports.Enqueue((context.Request.Path, context.Request.ContentType ?? "", framed.Length >= 5 ? framed[5..] : []));
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[5]);
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new OtlpGrpcSink(app, new Uri(address));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
