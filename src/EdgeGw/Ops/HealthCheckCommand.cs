using System.Globalization;

namespace EdgeGw.Ops;

/// <summary>
/// <c>edgegw healthcheck [--host H] [--port P]</c>: GETs <c>/health/liveliness</c> and exits 0 when
/// it answers 2xx, 1 otherwise — a Docker HEALTHCHECK for images without a shell or curl.
/// </summary>
internal static class HealthCheckCommand
{
    public const string Name = "healthcheck";

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var host = "127.0.0.1";
        var port = 4000;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            switch (args[i])
            {
                case "--host" when value is not null:
                    host = value is "0.0.0.0" or "::" ? "127.0.0.1" : value;
                    i++;
                    break;
                case "--port" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535:
                    port = p;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"edgegw healthcheck: bad option '{args[i]}' (usage: edgegw healthcheck [--host H] [--port P])");
                    return 2;
            }
        }
        var authority = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var response = await client.GetAsync(new Uri($"http://{authority}/health/liveliness"));
            if (response.IsSuccessStatusCode)
                return 0;
            Console.Error.WriteLine($"edgegw healthcheck: http://{authority}/health/liveliness answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException)
        {
            Console.Error.WriteLine($"edgegw healthcheck: http://{authority}/health/liveliness: {e.Message}");
            return 1;
        }
    }
}
