using System.Globalization;
using System.Net;

namespace EdgeGw.Cli;

/// <summary>Parsed command line: <c>edgegw [--config PATH] [--host HOST] [--port PORT] [--db PATH]</c>.</summary>
internal sealed record CommandLine
{
    public string ConfigPath { get; init; } = "config.yaml";
    public IPAddress Host { get; init; } = IPAddress.Any;
    public int Port { get; init; } = 4000;
    public string DatabasePath { get; init; } = "edgegw.db";
    public bool ShowHelp { get; init; }
    public bool ShowVersion { get; init; }

    public const string Usage = """
        Usage: edgegw [options]

        EdgeGw: one OpenAI-compatible endpoint for every LLM provider, configured with LiteLLM's config.yaml.

        Options:
          --config PATH   LiteLLM-format config file (default: ./config.yaml)
          --host HOST     address to listen on (default: 0.0.0.0; an IP address or 'localhost')
          --port PORT     port to listen on (default: 4000)
          --db PATH       SQLite database for keys and spend (default: ./edgegw.db)
          --version       print the version and exit
          --help          print this help and exit

        Commands:
          healthcheck [--host H] [--port P]
                          exit 0 when the gateway at H:P (default 127.0.0.1:4000) answers
                          /health/liveliness, 1 otherwise (for Docker HEALTHCHECK)

        Signals: SIGTERM/SIGINT drain in-flight requests (general_settings.graceful_shutdown_seconds,
        default 30) and exit 0; SIGHUP reloads the config file (an invalid file is logged and ignored).
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }
            string Value()
            {
                if (inlineValue is not null)
                    return inlineValue.Length > 0 ? inlineValue : throw new ArgumentException($"{arg} needs a value");
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"{arg} needs a value");
                return args[++i];
            }
            result = arg switch
            {
                "--config" or "-c" => result with { ConfigPath = Value() },
                "--host" => result with { Host = ParseHost(Value()) },
                "--port" or "-p" => result with { Port = ParsePort(Value()) },
                "--db" => result with { DatabasePath = Value() },
                "--help" or "-h" => result with { ShowHelp = true },
                "--version" or "-v" => result with { ShowVersion = true },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }
        return result;
    }

    private static IPAddress ParseHost(string value)
    {
        if (value == "localhost")
            return IPAddress.Loopback;
        return IPAddress.TryParse(value, out var address)
            ? address
            : throw new ArgumentException($"--host: '{value}' is not an IP address (use e.g. 0.0.0.0, 127.0.0.1, :: or localhost)");
    }

    private static int ParsePort(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new ArgumentException($"--port: '{value}' is not a port number (0-65535)");
}
