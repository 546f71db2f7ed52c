using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

// edgegw-load SCENARIO --url URL --key KEY --body JSON [options]
//   ttft  --requests N --concurrency C         time to first byte and to the end of each stream
//   hold  --streams N --seconds S [--pid P]    N streams open at once; reports peak RSS of process P
//   open  --rate R --seconds S                 open loop: requests start on schedule, latency counted
//                                              from the scheduled start (no coordinated omission)
// Prints one line: RESULT key=value ...; loopback targets only, bounded in count and time.
var options = Options.Parse(args);
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
var uri = new Uri(options.Url);
if (!IPAddress.IsLoopback(Dns.GetHostAddresses(uri.Host)[0]))
    throw new InvalidOperationException("load runs target loopback addresses only");

switch (options.Scenario)
{
    case "ttft":
        await TtftAsync(options.Int("requests", 200), options.Int("concurrency", 1));
        break;
    case "hold":
        await HoldAsync(options.Int("streams", 1000), options.Int("seconds", 10), options.Int("pid", 0));
        break;
    case "open":
        await OpenLoopAsync(options.Int("rate", 500), options.Int("seconds", 10));
        break;
    default:
        Console.Error.WriteLine("scenario: ttft | hold | open");
        return 2;
}
return 0;

HttpRequestMessage NewRequest()
{
    var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(options.Body, Encoding.UTF8, "application/json") };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Key);
    return request;
}

async Task<(double FirstMs, double TotalMs, bool Ok)> StreamOnceAsync(long startedAt)
{
    using var response = await client.SendAsync(NewRequest(), HttpCompletionOption.ResponseHeadersRead);
    await using var body = await response.Content.ReadAsStreamAsync();
    var buffer = new byte[16 * 1024];
    var first = -1.0;
    int read;
    while ((read = await body.ReadAsync(buffer)) > 0)
    {
        if (first < 0)
            first = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
    }
    return (first, Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, response.StatusCode == HttpStatusCode.OK);
}

async Task TtftAsync(int requests, int concurrency)
{
    var first = new List<double>();
    var total = new List<double>();
    var errors = 0;
    var next = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) <= requests)
        {
            var (f, t, ok) = await StreamOnceAsync(Stopwatch.GetTimestamp());
            lock (first)
            {
                if (!ok)
                    errors++;
                first.Add(f);
                total.Add(t);
            }
        }
    }));
    Console.WriteLine(FormattableString.Invariant(
        $"RESULT scenario=ttft requests={requests} rps={requests / clock.Elapsed.TotalSeconds:0.0} ttft_p50_us={P(first, 50) * 1000:0} ttft_p99_us={P(first, 99) * 1000:0} total_p50_us={P(total, 50) * 1000:0} total_p99_us={P(total, 99) * 1000:0} errors={errors}"));
}

async Task HoldAsync(int streams, int seconds, int pid)
{
    var errors = 0;
    var peakRssKb = 0L;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested && pid > 0)
        {
            peakRssKb = Math.Max(peakRssKb, RssKb(pid));
            await Task.Delay(100);
        }
    });
    var clock = Stopwatch.StartNew();
    var results = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(async () =>
    {
        try
        {
            return await StreamOnceAsync(Stopwatch.GetTimestamp());
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref errors);
            return (-1.0, -1.0, false);
        }
    })));
    await stop.CancelAsync();
    await sampler;
    var ok = results.Count(r => r.Item3);
    Console.WriteLine(FormattableString.Invariant(
        $"RESULT scenario=hold streams={streams} completed={ok} errors={streams - ok} seconds={clock.Elapsed.TotalSeconds:0.0} ttft_p99_us={P(results.Where(r => r.Item3).Select(r => r.Item1).ToList(), 99) * 1000:0} peak_rss_mb={peakRssKb / 1024}"));
}

async Task OpenLoopAsync(int rate, int seconds)
{
    // Warm up first (JIT, a pool of connections), so the measured window sees a steady client.
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        for (var i = 0; i < 50; i++)
            await StreamOnceAsync(Stopwatch.GetTimestamp());
    }));
    var latencies = new List<double>();
    var errors = 0;
    var count = rate * seconds;
    var interval = TimeSpan.FromSeconds(1.0 / rate);
    var start = Stopwatch.GetTimestamp();
    var inFlight = new List<Task>(count);
    // The schedule runs on its own thread with microsecond sleeps: Task.Delay wakes on a ~1 ms
    // timer, which made every request late by a millisecond before it was even sent.
    var scheduler = new Thread(() =>
    {
        Precise.NarrowTimerSlack();
        for (var i = 0; i < count; i++)
        {
            var scheduled = start + (long)(i * interval.TotalSeconds * Stopwatch.Frequency);
            Precise.SleepUntil(scheduled);
            inFlight.Add(Task.Run(async () =>
            {
                // Measured from the scheduled start: a slow server cannot hide its queueing delay.
                try
                {
                    var (_, t, ok) = await StreamOnceAsync(scheduled);
                    lock (latencies)
                    {
                        latencies.Add(t);
                        if (!ok)
                            errors++;
                    }
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }));
        }
    }) { IsBackground = true, Priority = ThreadPriority.Highest };
    scheduler.Start();
    scheduler.Join();
    await Task.WhenAll(inFlight);
    Console.WriteLine(FormattableString.Invariant(
        $"RESULT scenario=open rate={rate} requests={count} p50_us={P(latencies, 50) * 1000:0} p99_us={P(latencies, 99) * 1000:0} p999_us={P(latencies, 99.9) * 1000:0} errors={errors}"));
}

static double P(List<double> values, double percentile)
{
    if (values.Count == 0)
        return double.NaN;
    values.Sort();
    return values[Math.Min(values.Count - 1, (int)Math.Ceiling(percentile / 100 * values.Count) - 1)];
}

static long RssKb(int pid)
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
    return 0;
}

internal sealed record Options(string Scenario, string Url, string Key, string Body, Dictionary<string, string> Rest)
{
    public int Int(string name, int fallback) =>
        Rest.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static Options Parse(string[] args)
    {
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
            named[args[i].TrimStart('-')] = args[i + 1];
        return new Options(args.Length > 0 ? args[0] : "", named["url"], named.GetValueOrDefault("key", ""), named["body"], named);
    }
}

/// <summary>Sleeps to a Stopwatch timestamp within tens of microseconds (Linux nanosleep, narrow timer slack).</summary>
static partial class Precise
{
    public static void NarrowTimerSlack()
    {
        if (OperatingSystem.IsLinux())
            _ = Prctl(29 /* PR_SET_TIMERSLACK */, 1, 0, 0, 0);
    }

    public static void SleepUntil(long timestamp)
    {
        while (true)
        {
            var remainingUs = (timestamp - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
            if (remainingUs <= 0)
                return;
            if (OperatingSystem.IsLinux())
                _ = USleep((uint)remainingUs);
            else
                Thread.Sleep(TimeSpan.FromTicks(remainingUs * 10));
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "usleep")]
    private static extern int USleep(uint microseconds);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "prctl")]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
