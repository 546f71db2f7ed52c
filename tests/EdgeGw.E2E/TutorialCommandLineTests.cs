using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace EdgeGw.E2E;

/// <summary>
/// The image as LiteLLM tutorials run it: their compose <c>command:</c> lines replace the image's
/// command, the master key comes only from LITELLM_MASTER_KEY, there is no --db flag, and the
/// process runs as the image's non-root user in a root holding only what the image holds. The
/// tutorials' port 4000 is replaced by a free loopback port; every other option is theirs.
/// </summary>
public sealed class TutorialCommandLineTests
{
    private const string MasterKey = "sk-tutorial-master";

    /// <summary>No general_settings at all: the tutorials put the master key in the environment.</summary>
    private const string Config = """
        model_list:
          - model_name: mock-gpt
            litellm_params:
              model: mock/mock-gpt
              mock_response: "Hello from the tutorial's command"
        """;

    /// <summary>What the compose file and Dockerfile.aot put in the environment.</summary>
    private static Dictionary<string, string> ImageEnvironment(string? port = null)
    {
        var environment = new Dictionary<string, string> { ["LITELLM_MASTER_KEY"] = MasterKey, ["EDGEGW_DB"] = "/data/edgegw.db" };
        if (port is not null)
            environment["PORT"] = port;
        return environment;
    }

    private static HttpClient Client(string port, string? key = MasterKey)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        if (key is not null)
            client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }

    private static async Task<HttpResponseMessage> ChatAsync(HttpClient client) =>
        await client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"mock-gpt","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));

    /// <summary>
    /// Runs <paramref name="command"/> (with "{port}" for the tutorial's 4000) as the image's non-root
    /// user in an <see cref="EmptyRoot"/>, waits until it answers, runs <paramref name="check"/>, stops it.
    /// </summary>
    private static async Task RunInImageAsync(string[] command, Func<EmptyRoot, string, HttpClient, StringBuilder, Task> check, bool portFromEnvironment = false)
    {
        using var root = await EmptyRoot.CreateAsync(Config);
        var port = GatewayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var output = new StringBuilder();
        using var process = root.Start(command.Select(a => a.Replace("{port}", port, StringComparison.Ordinal)), output,
            ImageEnvironment(portFromEnvironment ? port : null), asNonRoot: true);
        try
        {
            using var client = Client(port);
            await EmptyRoot.WaitLiveAsync(client, process, output);
            await check(root, port, client, output);
        }
        finally
        {
            await EmptyRoot.StopAsync(process);
        }
    }

    [Fact]
    public Task ComposeCommandWithNumWorkers_StartsAsNonRootWithKeyFromEnvironmentAndDataInImageDirectory() =>
        // command: ["--config", "/app/config.yaml", "--port", "4000", "--num_workers", "4"]
        RunInImageAsync(["/app/edgegw", "--config", "/app/config.yaml", "--port", "{port}", "--num_workers", "4"], async (root, port, client, output) =>
        {
            using var response = await ChatAsync(client);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("Hello from the tutorial's command",
                JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            using var anonymous = Client(port, key: null);
            using var refused = await ChatAsync(anonymous);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

            // A virtual key is written to the database in /data, as the non-root user, with no --db flag.
            using var generated = await client.PostAsync("/key/generate", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await generated.Content.ReadAsStringAsync());
            var database = Path.Combine(root.Path, "data", "edgegw.db");
            Assert.True(File.Exists(database), $"no database at /data/edgegw.db: {output}");
            Assert.Equal($"{EmptyRoot.NonRoot}", (await EmptyRoot.RunAsync("stat", "-c", "%u", database)).Output.Trim());
            Assert.True(Logged(output, "--num_workers 4: not needed, one EdgeGw process already uses every core"), output.ToString());
            // `docker compose logs -f` in the tutorials waits for LiteLLM's ready line.
            Assert.True(Logged(output, "Application startup complete."), output.ToString());
        });

    [Fact]
    public Task ComposeCommandWithDetailedDebug_StartsAndLogsAtDebugLevel() =>
        // command: --config /app/config.yaml --port 4000 --detailed_debug
        RunInImageAsync(["/app/edgegw", "--config", "/app/config.yaml", "--port", "{port}", "--detailed_debug"], async (_, _, client, output) =>
        {
            using var response = await ChatAsync(client);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // The spend writer's commit line is debug-level: it appears only with --detailed_debug.
            var clock = Stopwatch.StartNew();
            while (!Logged(output, "spend writer: committed") && clock.Elapsed < TimeSpan.FromSeconds(10))
                await Task.Delay(50);
            Assert.True(Logged(output, "spend writer: committed"), $"no debug-level line after a request: {output}");
        });

    [Fact]
    public Task ComposeHealthcheckWithPath_PassesInTheImage() =>
        // environment: PORT (instead of --port) is what the server and its healthcheck share.
        RunInImageAsync(["/app/edgegw", "--config", "/app/config.yaml"], async (root, port, _, _) =>
        {
            // test: ["CMD", "/app/edgegw", "healthcheck", "/health/readiness"]
            foreach (var path in new[] { "/health/readiness", "/health/liveliness" })
            {
                var health = await root.RunToExitAsync(["/app/edgegw", "healthcheck", path], ImageEnvironment(port), asNonRoot: true);
                Assert.True(health.Code == 0, $"healthcheck {path} failed: {health.Output}");
            }
        }, portFromEnvironment: true);

    [Fact]
    public async Task HealthcheckWithPath_FailsWhenNothingAnswers()
    {
        var port = GatewayProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var down = await EmptyRoot.RunAsync(GatewayProcess.Binary, ["healthcheck", "/health/readiness"], ImageEnvironment(port));
        Assert.Equal(1, down.Code);
        Assert.Contains($"127.0.0.1:{port}/health/readiness", down.Output, StringComparison.Ordinal);
    }

    [Fact]
    public Task KubernetesCommandThroughLitellmOnPath_Starts() =>
        // command: [litellm, --config, /app/config.yaml, --port, "4000"] replaces the entrypoint.
        RunInImageAsync(["litellm", "--config", "/app/config.yaml", "--port", "{port}"], async (_, _, client, _) =>
        {
            using var response = await ChatAsync(client);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

    [Fact]
    public async Task NoMasterKeyAnywhere_ExitsNamingBothPlaces()
    {
        var (code, _, stderr) = await GatewayProcess.RunToExitAsync(await FolderWithConfigAsync(), "--config", "config.yaml", "--port", "4000", "--num_workers", "4");
        Assert.Equal(1, code);
        Assert.Contains("general_settings.master_key", stderr, StringComparison.Ordinal);
        Assert.Contains("LITELLM_MASTER_KEY", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidateConfig_ChecksTheFileAndExits()
    {
        var folder = await FolderWithConfigAsync();
        var (code, stdout, stderr) = await GatewayProcess.RunToExitAsync(folder, "--config", "config.yaml", "--validate_config");
        Assert.Equal(1, code); // no master key in this environment
        Assert.Contains("master_key", stderr, StringComparison.Ordinal);
        await File.AppendAllTextAsync(Path.Combine(folder, "config.yaml"), "\ngeneral_settings:\n  master_key: sk-x\n");
        (code, stdout, _) = await GatewayProcess.RunToExitAsync(folder, "--config", "config.yaml", "--validate_config");
        Assert.Equal(0, code);
        Assert.Contains("config OK (1 deployments)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOption_StillExitsTwoWithOneClearLine()
    {
        var (code, _, stderr) = await GatewayProcess.RunToExitAsync(GatewayProcess.NewFolderWithBinary(), "--config", "/app/config.yaml", "--num_worker", "4");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--num_worker'", stderr, StringComparison.Ordinal);
    }

    private static async Task<string> FolderWithConfigAsync()
    {
        var folder = GatewayProcess.NewFolderWithBinary();
        await File.WriteAllTextAsync(Path.Combine(folder, "config.yaml"), Config);
        return folder;
    }

    private static bool Logged(StringBuilder output, string text)
    {
        lock (output)
            return output.ToString().Contains(text, StringComparison.Ordinal);
    }
}
