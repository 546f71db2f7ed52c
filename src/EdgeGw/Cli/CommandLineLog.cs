namespace EdgeGw.Cli;

/// <summary>Start-up log lines about the command line: one per accepted LiteLLM option EdgeGw does not need.</summary>
internal static partial class CommandLineLog
{
    public static void NotNeeded(WebApplication app, CommandLine options)
    {
        if (options.NotNeeded.Count == 0)
            return;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EdgeGw");
        foreach (var line in options.NotNeeded)
            LogNotNeeded(logger, line);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "command line: {Line}")]
    private static partial void LogNotNeeded(ILogger logger, string line);
}
