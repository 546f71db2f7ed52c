using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text;
using EdgeGw.Crypto;
using EdgeGw.Providers;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>
/// Reads LiteLLM's <c>config.yaml</c> into an immutable <see cref="GatewayConfig"/>, validated once.
/// Keys EdgeGw does not act on are accepted and reported in <see cref="GatewayConfig.IgnoredKeys"/>
/// so that an existing LiteLLM config starts unchanged.
/// </summary>
internal static class ConfigLoader
{
    public static GatewayConfig LoadFile(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException("", $"cannot read config file '{path}': {e.Message}");
        }
        return Parse(text, environment, path);
    }

    public static GatewayConfig Parse(string yaml, Func<string, string?>? environment = null, string source = "config")
    {
        var root = LoadRoot(yaml, source);
        var ignored = new IgnoredKeys();

        // environment_variables: LiteLLM exports these before reading the rest of the file.
        var envOverrides = ReadEnvironmentVariables(root, environment ?? Environment.GetEnvironmentVariable);
        var baseEnv = environment ?? Environment.GetEnvironmentVariable;
        var values = new YamlValues(name => envOverrides.TryGetValue(name, out var v) ? v : baseEnv(name));

        foreach (var key in Keys(root))
        {
            if (key is not ("model_list" or "general_settings" or "litellm_settings" or "router_settings" or "environment_variables" or "callback_settings" or "credential_list"))
                ignored.Add(key);
        }

        var litellmNode = YamlValues.Mapping(Child(root, "litellm_settings"), "litellm_settings");
        var routerNode = YamlValues.Mapping(Child(root, "router_settings"), "router_settings");
        var litellm = ReadLitellmSettings(values, litellmNode, ignored);
        var config = new GatewayConfig
        {
            General = ReadGeneralSettings(values, Child(root, "general_settings"), ignored),
            Litellm = litellm,
            Router = RouterSettingsReader.Read(values, routerNode, litellmNode),
            Redis = RedisLimitSettingsReader.Apply(RedisSettingsReader.Read(values, routerNode, litellmNode, YamlValues.Mapping(Child(root, "general_settings"), "general_settings")), values, routerNode),
            Credentials = CredentialListReader.Read(values, Child(root, "credential_list")),
            Deployments = [],
        };
        config = config with { Deployments = ReadModelList(values, Child(root, "model_list"), config.Credentials, ignored, out var borrowing) };
        config = config with { BorrowingDeployments = borrowing };
        config = config with
        {
            Cache = CacheSettingsReader.Read(values, litellmNode, config.Redis),
            Callbacks = CallbackSettingsReader.Read(values, litellmNode, YamlValues.Mapping(Child(root, "callback_settings"), "callback_settings")),
            Otel = DeferredFeatures.Lists(values, litellmNode, "otel")
                ? Observability.Otel.OtelSettings.From(values.Environment) with
                {
                    ForwardTraceparent = values.Bool(Child(litellmNode, "forward_traceparent_to_llm_provider"), "litellm_settings.forward_traceparent_to_llm_provider") ?? false,
                }
                : null,
        };
        IgnoreUnknownRouterKeys(routerNode, ignored);
        var deferred = DeferredFeatures.Find(values, YamlValues.Mapping(Child(root, "general_settings"), "general_settings"), litellmNode, routerNode,
            config.Callbacks, out var explained);
        return config with
        {
            Environment = values.Environment,
            IgnoredKeys = [.. ignored.ToImmutable().Except(explained)],
            Deferred = deferred,
            Warnings = [.. values.Warnings],
        };
    }

    private static YamlMappingNode LoadRoot(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new ConfigException("", $"{source}:{e.Start.Line}:{e.Start.Column}: invalid YAML: {InnermostMessage(e)}");
        }
        if (stream.Documents.Count == 0)
            throw new ConfigException("", $"{source} is empty; it needs at least general_settings.master_key");
        return YamlValues.Mapping(stream.Documents[0].RootNode, "")
            ?? throw new ConfigException("", $"{source} is empty; it needs at least general_settings.master_key");
    }

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null)
            e = e.InnerException;
        return e.Message;
    }

    private static Dictionary<string, string> ReadEnvironmentVariables(YamlMappingNode root, Func<string, string?> env)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var map = YamlValues.Mapping(Child(root, "environment_variables"), "environment_variables");
        if (map is null)
            return result;
        var values = new YamlValues(env);
        foreach (var (key, value) in map.Children)
        {
            var name = ((YamlScalarNode)key).Value ?? "";
            var text = values.String(value, $"environment_variables.{name}");
            if (text is not null)
                result[name] = text;
        }
        return result;
    }

    private static GeneralSettings ReadGeneralSettings(YamlValues values, YamlNode? node, IgnoredKeys ignored)
    {
        const string path = "general_settings";
        var map = YamlValues.Mapping(node, path);
        var masterKeyNode = Child(map, "master_key");
        // As LiteLLM: the config's master_key wins; without one, LITELLM_MASTER_KEY from the environment.
        var masterKey = masterKeyNode is null
            ? values.Environment("LITELLM_MASTER_KEY")
            : values.String(masterKeyNode, $"{path}.master_key");
        if (string.IsNullOrEmpty(masterKey))
        {
            var why = masterKeyNode is null ? "required: neither it nor the LITELLM_MASTER_KEY environment variable is set" : "is empty (is its environment variable set?)";
            throw new ConfigException($"{path}.master_key",
                $"{why}. EdgeGw never runs without a master key: export LITELLM_MASTER_KEY=sk-... (or set general_settings.master_key, e.g. to os.environ/LITELLM_MASTER_KEY)");
        }

        var settings = new GeneralSettings { MasterKey = masterKey };
        var sizeMb = values.Double(Child(map, "max_request_size_mb"), $"{path}.max_request_size_mb");
        if (sizeMb is not null)
        {
            if (sizeMb <= 0)
                throw new ConfigException($"{path}.max_request_size_mb", "must be a positive number of megabytes");
            settings = settings with { MaxRequestSizeBytes = (long)(sizeMb.Value * 1024 * 1024) };
        }
        var responseMb = values.Double(Child(map, "max_response_size_mb"), $"{path}.max_response_size_mb");
        if (responseMb is not null)
        {
            if (responseMb <= 0)
                throw new ConfigException($"{path}.max_response_size_mb", "must be a positive number of megabytes");
            settings = settings with { MaxResponseSizeBytes = (long)(responseMb.Value * 1024 * 1024) };
        }
        var parallel = values.NonNegativeInt(Child(map, "global_max_parallel_requests"), $"{path}.global_max_parallel_requests")
            ?? values.NonNegativeInt(Child(map, "max_parallel_requests"), $"{path}.max_parallel_requests");
        var tokenType = values.String(Child(map, "token_rate_limit_type"), $"{path}.token_rate_limit_type") switch
        {
            null or "total" => TokenRateLimitType.Total,
            "input" => TokenRateLimitType.Input,
            "output" => TokenRateLimitType.Output,
            var other => throw new ConfigException($"{path}.token_rate_limit_type", $"expected input, output or total, got '{other}'"),
        };
        settings = settings with { MaxParallelRequests = parallel, TokenRateLimitType = tokenType };
        var grace = values.Seconds(Child(map, "graceful_shutdown_seconds"), $"{path}.graceful_shutdown_seconds");
        if (grace is not null)
            settings = settings with { GracefulShutdown = grace.Value };
        settings = settings with
        {
            KeyHeaderName = values.String(Child(map, "litellm_key_header_name"), $"{path}.litellm_key_header_name") is { Length: > 0 } header ? header : null,
            DisableSpendLogs = values.Bool(Child(map, "disable_spend_logs"), $"{path}.disable_spend_logs") ?? false,
            EnforceUserParam = values.Bool(Child(map, "enforce_user_param"), $"{path}.enforce_user_param") ?? false,
            AllowRequestsOnDbUnavailable = values.Bool(Child(map, "allow_requests_on_db_unavailable"), $"{path}.allow_requests_on_db_unavailable") ?? false,
            StoreModelInDb = values.Bool(Child(map, "store_model_in_db"), $"{path}.store_model_in_db")
                ?? (values.Environment("STORE_MODEL_IN_DB") is { } store && Yaml11.Bool(store) == true),
            SpendLogsRetention = Duration(values, Child(map, "maximum_spend_logs_retention_period"), $"{path}.maximum_spend_logs_retention_period"),
            SpendLogsRetentionInterval = Duration(values, Child(map, "maximum_spend_logs_retention_interval"), $"{path}.maximum_spend_logs_retention_interval"),
        };
        if (values.Double(Child(map, "edgegw_response_retention_days"), $"{path}.edgegw_response_retention_days") is { } retentionDays)
        {
            if (retentionDays is <= 0 or > 36_500)
                throw new ConfigException($"{path}.edgegw_response_retention_days", "must be a positive number of days");
            settings = settings with { ResponseRetention = TimeSpan.FromDays(retentionDays) };
        }
        if (values.NonNegativeInt(Child(map, "edgegw_response_store_max_rows"), $"{path}.edgegw_response_store_max_rows") is { } maxRows)
        {
            if (maxRows < 1)
                throw new ConfigException($"{path}.edgegw_response_store_max_rows", "must be at least 1");
            settings = settings with { ResponseStoreMaxRows = maxRows };
        }
        if (values.NonNegativeInt(Child(map, "database_connection_pool_limit"), $"{path}.database_connection_pool_limit") is { } poolLimit)
        {
            if (poolLimit < 1)
                throw new ConfigException($"{path}.database_connection_pool_limit", "must be at least 1");
            settings = settings with { DatabaseConnectionPoolLimit = poolLimit };
        }
        settings = settings with { EncryptionAlgorithm = EncryptionAlgorithm(values, Child(map, "encryption_algorithm"), $"{path}.encryption_algorithm") };
        // As LiteLLM's proxy: the config's database_url wins over (and in LiteLLM, overwrites) DATABASE_URL.
        if (values.String(Child(map, "database_url"), $"{path}.database_url") is { Length: > 0 } configured)
            settings = settings with { DatabaseUrl = configured, DatabaseUrlSource = $"{path}.database_url" };
        else if (values.Environment("DATABASE_URL") is { } fromEnvironment)
            settings = settings with { DatabaseUrl = fromEnvironment, DatabaseUrlSource = "DATABASE_URL" };
        ignored.AddUnknown(map, path, "master_key", "max_request_size_mb", "max_response_size_mb", "max_parallel_requests", "global_max_parallel_requests",
            "token_rate_limit_type", "graceful_shutdown_seconds", "litellm_key_header_name", "disable_spend_logs",
            "enforce_user_param", "allow_requests_on_db_unavailable", "database_url", "maximum_spend_logs_retention_period",
            "maximum_spend_logs_retention_interval", "database_connection_pool_limit", "edgegw_response_retention_days", "edgegw_response_store_max_rows",
            "store_model_in_db", "encryption_algorithm");
        return settings;
    }

    /// <summary>
    /// The format secrets are written in (models, credentials). Unset: LiteLLM's original SecretBox, which every
    /// LiteLLM version reads (recent LiteLLM itself defaults to aes-256-gcm); every format is read either way.
    /// </summary>
    private static Storage.Secrets.SecretFormat EncryptionAlgorithm(YamlValues values, YamlNode? node, string path) =>
        values.String(node, path)?.Trim().ToLowerInvariant() switch
        {
            null or "xsalsa20-poly1305" => Storage.Secrets.SecretFormat.LegacyNacl,
            "aes-256-gcm" => Storage.Secrets.SecretFormat.V3Gcm,
            var other => throw new ConfigException(path, $"expected aes-256-gcm or xsalsa20-poly1305, got '{other}'"),
        };

    /// <summary>LiteLLM's duration strings (<c>7d</c>, <c>24h</c>, <c>60m</c>, <c>3600s</c>) as a span; a month counts as 31 days.</summary>
    private static TimeSpan? Duration(YamlValues values, YamlNode? node, string path)
    {
        if (values.String(node, path) is not { } text)
            return null;
        if (!Spend.BudgetDuration.TryParse(text, out var duration))
            throw new ConfigException(path, $"expected a duration such as 7d, 24h, 60m or 3600s, got '{text}'");
        return duration.After(DateTimeOffset.UnixEpoch) - DateTimeOffset.UnixEpoch;
    }

    private static LitellmSettings ReadLitellmSettings(YamlValues values, YamlNode? node, IgnoredKeys ignored)
    {
        const string path = "litellm_settings";
        var map = YamlValues.Mapping(node, path);
        ignored.AddUnknown(map, path, ["drop_params", "request_timeout", "max_budget", "budget_duration", "timezone", "budget_reset_time",
            "json_logs", "set_verbose", "require_auth_for_metrics_endpoint", "forward_traceparent_to_llm_provider", .. RouterSettingsReader.LitellmKeys]);
        var durationText = values.String(Child(map, "budget_duration"), $"{path}.budget_duration");
        Spend.BudgetDuration? duration = null;
        if (durationText is not null && !Spend.BudgetDuration.TryParse(durationText, out duration))
            throw new ConfigException($"{path}.budget_duration", $"expected {Spend.BudgetDuration.Expected}, got '{durationText}'");
        if (duration?.BudgetProblem is { } problem)
            throw new ConfigException($"{path}.budget_duration", $"{problem}, got '{durationText}'");
        return new LitellmSettings
        {
            DropParams = values.Bool(Child(map, "drop_params"), $"{path}.drop_params") ?? false,
            RequestTimeout = values.Seconds(Child(map, "request_timeout"), $"{path}.request_timeout"),
            MaxBudget = values.Decimal(Child(map, "max_budget"), $"{path}.max_budget"),
            BudgetDuration = duration,
            BudgetClock = BudgetClockReader.Read(values, map, path),
            JsonLogs = values.Bool(Child(map, "json_logs"), $"{path}.json_logs") ?? false,
            SetVerbose = values.Bool(Child(map, "set_verbose"), $"{path}.set_verbose") ?? false,
            RequireAuthForMetrics = values.Bool(Child(map, "require_auth_for_metrics_endpoint"), $"{path}.require_auth_for_metrics_endpoint") ?? true,
        };
    }

    private static void IgnoreUnknownRouterKeys(YamlMappingNode? router, IgnoredKeys ignored) =>
        ignored.AddUnknown(router, "router_settings", RouterSettingsReader.RouterKeys);

    private static ImmutableArray<Deployment> ReadModelList(YamlValues values, YamlNode? node,
        FrozenDictionary<string, YamlMappingNode> credentials, IgnoredKeys ignored, out ImmutableArray<BorrowingDeployment> borrowing)
    {
        borrowing = [];
        var list = YamlValues.Sequence(node, "model_list");
        if (list is null)
            return [];
        var result = ImmutableArray.CreateBuilder<Deployment>(list.Children.Count);
        var later = ImmutableArray.CreateBuilder<BorrowingDeployment>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            // A credential the file does not list may be a stored one (/credentials): resolved once the database is read.
            if (CredentialListReader.NameIn(values, list.Children[i], i) is { } name && !credentials.ContainsKey(name))
            {
                later.Add(new BorrowingDeployment(i, (YamlMappingNode)list.Children[i], name));
                ignored.AddUnknown((YamlMappingNode)list.Children[i], "model_list[]", "model_name", "litellm_params", "model_info");
                continue;
            }
            result.Add(ReadDeployment(values, list.Children[i], i, credentials, ignored));
        }
        borrowing = later.ToImmutable();
        return result.ToImmutable();
    }

    /// <summary>
    /// A config deployment whose credential is not in the file's <c>credential_list</c>, read with the stored
    /// credentials merged in (a stored one replaces a listed one of the same name, as LiteLLM's upsert does).
    /// </summary>
    public static Deployment ReadBorrowingDeployment(BorrowingDeployment entry, Func<string, string?> environment,
        FrozenDictionary<string, YamlMappingNode> credentials) =>
        ReadDeployment(new YamlValues(environment), entry.Entry, entry.Index, credentials, new IgnoredKeys());

    // litellm_params that are parsed and validated but not acted on: the router's num_retries
    // governs retries (LiteLLM itself sets the provider client's max_retries to 0).
    private static readonly string[] ParamsNotYetEnforced =
        ["max_retries"];

    /// <summary>
    /// A database model (<c>/model/new</c>) as one <c>model_list</c> entry: JSON is YAML, so it takes exactly
    /// the path and checks a config entry takes, <c>os.environ/</c> references included.
    /// </summary>
    /// <param name="credentials">The config's <c>credential_list</c> and the stored credentials, by name.</param>
    public static Deployment ReadStoredDeployment(string entryJson, int index, Func<string, string?> environment,
        FrozenDictionary<string, YamlMappingNode>? credentials = null)
    {
        var root = LoadRoot(entryJson, "stored model");
        return ReadDeployment(new YamlValues(environment), root, index, credentials ?? FrozenDictionary<string, YamlMappingNode>.Empty, new IgnoredKeys());
    }

    private static Deployment ReadDeployment(YamlValues values, YamlNode node, int index,
        FrozenDictionary<string, YamlMappingNode> credentials, IgnoredKeys ignored)
    {
        var path = $"model_list[{index}]";
        var entry = YamlValues.Mapping(node, path) ?? throw new ConfigException(path, "empty entry");
        var modelName = values.Required(Child(entry, "model_name"), $"{path}.model_name");
        var paramsPath = $"{path}.litellm_params";
        var p = CredentialListReader.Apply(values, YamlValues.Mapping(Child(entry, "litellm_params"), paramsPath)
            ?? throw new ConfigException(paramsPath, "required (it holds at least model: provider/model-id)"), paramsPath, credentials);
        var info = YamlValues.Mapping(Child(entry, "model_info"), $"{path}.model_info");
        ignored.AddUnknown(entry, "model_list[]", "model_name", "litellm_params", "model_info");

        var model = values.Required(Child(p, "model"), $"{paramsPath}.model");
        var (providerName, modelId) = ModelReference.Parse(model, $"{paramsPath}.model");
        if (modelId.Contains('*', StringComparison.Ordinal) && !modelName.Contains('*', StringComparison.Ordinal))
            throw new ConfigException($"{paramsPath}.model", $"'{model}' has a wildcard but model_name '{modelName}' has none to fill it");
        var explicitBase = values.String(Child(p, "api_base"), $"{paramsPath}.api_base");
        var explicitKey = values.String(Child(p, "api_key"), $"{paramsPath}.api_key");
        var explicitVersion = values.String(Child(p, "api_version"), $"{paramsPath}.api_version");

        string? CheckedBase(string? apiBase) =>
            apiBase is not null && (!IsHttp(apiBase) || !Uri.TryCreate(apiBase, UriKind.Absolute, out _))
                ? throw new ConfigException($"{paramsPath}.api_base", $"expected an http:// or https:// URL, got '{apiBase}'")
                : apiBase;

        // The provider's key, base and version defaults; a per-request entry gets them once per provider.
        (string? ApiBase, string? ApiKey, string? ApiVersion) Complete(ProviderInfo provider)
        {
            var apiBase = explicitBase ?? EnvDefault(values, provider.ApiBaseEnv) ?? provider.DefaultApiBase;
            if (apiBase is null && provider.Kind is not (ProviderKind.Mock or ProviderKind.Bedrock or ProviderKind.Vertex))
                throw new ConfigException($"{paramsPath}.api_base", $"required for {provider.Name}/ (it has no public default)");
            return (CheckedBase(apiBase), explicitKey ?? EnvDefault(values, provider.ApiKeyEnv),
                explicitVersion ?? (provider.Kind == ProviderKind.Azure ? EnvDefault(values, "AZURE_API_VERSION") : null));
        }

        var perRequest = providerName == ModelReference.PerRequest;
        var (apiBase, apiKey, apiVersion) = perRequest
            ? (CheckedBase(explicitBase), explicitKey, explicitVersion)
            : Complete(ProviderCatalog.Find(providerName)!);

        var timeout = values.Seconds(Child(p, "timeout"), $"{paramsPath}.timeout");
        var weight = values.Double(Child(p, "weight"), $"{paramsPath}.weight");
        if (weight < 0)
            throw new ConfigException($"{paramsPath}.weight", "must not be negative");

        foreach (var key in ParamsNotYetEnforced)
        {
            if (Child(p, key) is not null)
                ignored.Add($"model_list[].litellm_params.{key}");
        }
        var known = new HashSet<string>(StringComparer.Ordinal)
        {
            "model", "api_key", "api_base", "api_version", "rpm", "tpm", "weight", "order", "timeout",
            "stream_timeout", "max_retries", "input_cost_per_token", "output_cost_per_token", "extra_headers",
            "mock_response", "mock_latency_ms", "mock_tokens_per_second", CredentialListReader.NameParam,
        };
        var other = new Dictionary<string, string>(StringComparer.Ordinal);
        ProviderKind? kind = perRequest ? null : ProviderCatalog.Find(providerName)!.Kind;
        foreach (var (k, v) in p.Children)
        {
            var key = ((YamlScalarNode)k).Value ?? "";
            if (known.Contains(key))
                continue;
            if (!ProviderParams.IsActedOn(kind, key))
                ignored.Add($"model_list[].litellm_params.{key}");
            if (v is YamlScalarNode)
                other[key] = values.String(v, $"{paramsPath}.{key}") ?? "";
            else if (v is YamlMappingNode mapping)
                other[key] = YamlJson.Write(values, mapping, $"{paramsPath}.{key}"); // e.g. vertex_credentials written inline
        }

        var id = values.String(Child(info, "id"), $"{path}.model_info.id") ?? StableId(modelName, model, apiBase, index);
        ignored.AddUnknown(info, "model_list[].model_info", "id", "max_tokens", "health_check_model", "access_groups", "max_input_tokens");

        var deployment = new Deployment
        {
            Index = index,
            ModelName = modelName,
            Provider = providerName,
            ModelId = modelId,
            Id = id,
            ApiKey = apiKey,
            ApiBase = apiBase?.TrimEnd('/'),
            ApiVersion = apiVersion,
            Rpm = values.NonNegativeInt(Child(p, "rpm"), $"{paramsPath}.rpm"),
            Tpm = values.NonNegativeInt(Child(p, "tpm"), $"{paramsPath}.tpm"),
            Weight = weight,
            Order = values.Int(Child(p, "order"), $"{paramsPath}.order"),
            Timeout = timeout,
            StreamTimeout = values.Seconds(Child(p, "stream_timeout"), $"{paramsPath}.stream_timeout"),
            MaxRetries = values.NonNegativeInt(Child(p, "max_retries"), $"{paramsPath}.max_retries"),
            InputCostPerToken = values.Decimal(Child(p, "input_cost_per_token"), $"{paramsPath}.input_cost_per_token")
                ?? values.Decimal(Child(info, "input_cost_per_token"), $"{path}.model_info.input_cost_per_token"),
            OutputCostPerToken = values.Decimal(Child(p, "output_cost_per_token"), $"{paramsPath}.output_cost_per_token")
                ?? values.Decimal(Child(info, "output_cost_per_token"), $"{path}.model_info.output_cost_per_token"),
            ExtraHeaders = ReadHeaders(values, Child(p, "extra_headers"), $"{paramsPath}.extra_headers"),
            MaxTokens = values.NonNegativeInt(Child(info, "max_tokens"), $"{path}.model_info.max_tokens"),
            HealthCheckModel = values.String(Child(info, "health_check_model"), $"{path}.model_info.health_check_model"),
            AccessGroups = RouterSettingsReader.Names(values, Child(info, "access_groups"), $"{path}.model_info.access_groups"),
            MaxInputTokens = values.NonNegativeInt(Child(info, "max_input_tokens"), $"{path}.model_info.max_input_tokens"),
            Mock = ReadMock(values, p, paramsPath),
            OtherParams = other.ToFrozenDictionary(StringComparer.Ordinal),
        };
        return perRequest ? deployment with { PerProvider = ModelReference.PerProvider(deployment, Complete) } : deployment;
    }

    private static bool IsHttp(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>LiteLLM's fallback variables (OPENAI_API_KEY, …): read silently, since most are meant to be unset.</summary>
    private static string? EnvDefault(YamlValues values, string? variable) =>
        variable is null ? null : values.Environment(variable);

    private static MockSettings ReadMock(YamlValues values, YamlMappingNode p, string path)
    {
        var response = values.String(Child(p, "mock_response"), $"{path}.mock_response");
        var latencyMs = values.Double(Child(p, "mock_latency_ms"), $"{path}.mock_latency_ms") ?? 0;
        var tps = values.Double(Child(p, "mock_tokens_per_second"), $"{path}.mock_tokens_per_second") ?? 0;
        if (latencyMs < 0)
            throw new ConfigException($"{path}.mock_latency_ms", "must not be negative");
        if (tps < 0)
            throw new ConfigException($"{path}.mock_tokens_per_second", "must not be negative");
        return response is null && latencyMs == 0 && tps == 0
            ? MockSettings.Default
            : new MockSettings(response, TimeSpan.FromMilliseconds(latencyMs), tps);
    }

    private static FrozenDictionary<string, string> ReadHeaders(YamlValues values, YamlNode? node, string path)
    {
        var map = YamlValues.Mapping(node, path);
        if (map is null)
            return FrozenDictionary<string, string>.Empty;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in map.Children)
        {
            var name = ((YamlScalarNode)k).Value ?? "";
            var value = values.String(v, $"{path}.{name}");
            if (value is not null)
                headers[name] = value;
        }
        return headers.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>LiteLLM derives an id for entries without <c>model_info.id</c>; ours is stable across restarts.</summary>
    private static string StableId(string modelName, string model, string? apiBase, int index)
    {
        var hash = Sodium.Sha256(Encoding.UTF8.GetBytes($"{modelName}\n{model}\n{apiBase}\n{index}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static YamlNode? Child(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static IEnumerable<string> Keys(YamlMappingNode? map) =>
        map is null ? [] : map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    /// <summary>Collects accepted-but-unused keys once each, in first-seen order.</summary>
    private sealed class IgnoredKeys
    {
        private readonly List<string> _keys = [];
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public void Add(string key)
        {
            if (_seen.Add(key))
                _keys.Add(key);
        }

        public void AddUnknown(YamlMappingNode? map, string path, params string[] known)
        {
            foreach (var key in Keys(map))
            {
                if (Array.IndexOf(known, key) < 0)
                    Add($"{path}.{key}");
            }
        }

        public ImmutableArray<string> ToImmutable() => [.. _keys];
    }
}
