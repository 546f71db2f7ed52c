namespace EdgeGw.Observability;

/// <summary>
/// Console logging as LiteLLM configures it: <c>litellm_settings.json_logs</c> (or env
/// <c>JSON_LOGS=true</c>) switches to one JSON object per line; <c>set_verbose: true</c> (or
/// <c>LITELLM_LOG=DEBUG</c>) lowers the level to Debug; <c>LITELLM_LOG=WARNING|ERROR</c> raises it,
/// which also silences the per-request lines (Information).
/// </summary>
internal static class LogSetup
{
    /// <param name="console">The console provider, made here on stdout unless a test brings its own.</param>
    public static void Configure(ILoggingBuilder logging, Config.LitellmSettings settings, Func<string, string?> env,
        Func<bool, Logging.ConsoleLoggerProvider>? console = null)
    {
        logging.ClearProviders();
        var json = settings.JsonLogs || IsTrue(env("JSON_LOGS"));
        logging.AddProvider(console?.Invoke(json) ?? new Logging.ConsoleLoggerProvider(json, Console.OpenStandardOutput()));
        logging.SetMinimumLevel(Level(settings, env("LITELLM_LOG")));
        logging.AddFilter("Microsoft", LogLevel.Warning);
        // Any level enabled here makes ASP.NET Core start an Activity and a log scope per request.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
    }

    public static LogLevel Level(Config.LitellmSettings settings, string? litellmLog) => litellmLog?.Trim().ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.Debug,
        "INFO" => LogLevel.Information,
        "WARNING" or "WARN" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" => LogLevel.Critical,
        _ => settings.SetVerbose ? LogLevel.Debug : LogLevel.Information,
    };

    private static bool IsTrue(string? value) =>
        string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) || value == "1";
}
