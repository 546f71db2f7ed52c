namespace EdgeGw.Tests.Infrastructure;

/// <summary>
/// Configs from the LiteLLM tutorials in shared/seeds, kept literally (re-indented where the page lost
/// it, explanatory comments shortened); shared by unit and E2E tests.
/// </summary>
public static class TutorialConfigs
{
    /// <summary>The SDK-to-proxy lesson's model_list: bare model names with LiteLLM's key variables.</summary>
    public const string SdkLessonModelList = """
        # Primary: Claude Sonnet - for complex reasoning tasks
        - model_name: claude-sonnet
          litellm_params:
            model: claude-sonnet-4-6
            api_key: os.environ/ANTHROPIC_API_KEY
            rpm: 500 # requests per minute - used by usage-based routing
            tpm: 200000 # tokens per minute
        # Budget model: Claude Haiku - for high-volume simple tasks
        - model_name: claude-haiku
          litellm_params:
            model: claude-haiku-4-5-20251001
            api_key: os.environ/ANTHROPIC_API_KEY
            rpm: 2000
            tpm: 1000000
        # OpenAI fallback
        - model_name: gpt-4o
          litellm_params:
            model: gpt-4o
            api_key: os.environ/OPENAI_API_KEY
            rpm: 500
            tpm: 150000
        """;

    /// <summary>The production compose guide's config.yaml (master key and DATABASE_URL come from the environment).</summary>
    public const string ComposeGuide = """
        # config.yaml — LiteLLM Proxy v1.85.0
        model_list:
          # ---- Anthropic ----
          - model_name: claude-sonnet-4-6
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY
          # ---- OpenAI ----
          - model_name: gpt-5.4
            litellm_params:
              model: openai/gpt-5.4
              api_key: os.environ/OPENAI_API_KEY
          - model_name: gpt-5.4-mini
            litellm_params:
              model: openai/gpt-5.4-mini
              api_key: os.environ/OPENAI_API_KEY
          # ---- Google Gemini (AI Studio, NOT Vertex) ----
          - model_name: gemini-2.5-pro
            litellm_params:
              # The "gemini/" prefix routes to AI Studio with GEMINI_API_KEY.
              model: gemini/gemini-2.5-pro
              api_key: os.environ/GEMINI_API_KEY
        general_settings:
          # The proxy also reads LITELLM_MASTER_KEY and DATABASE_URL straight from
          # the environment, so we don't repeat them here.
          store_model_in_db: true
        router_settings:
          routing_strategy: simple-shuffle # the default; explicit for clarity
          allowed_fails: 3 # cooldown threshold per 1-min window
          cooldown_time: 60 # seconds a failed deployment is parked
          fallbacks:
            - gpt-5.4: ["claude-sonnet-4-6", "gemini-2.5-pro"]
          # If a request blows the gpt-5.4-mini window, escalate to full gpt-5.4.
          context_window_fallbacks:
            - gpt-5.4-mini: ["gpt-5.4"]
          # If Claude refuses on policy, route to gpt-5.4 (different policy stack).
          content_policy_fallbacks:
            - claude-sonnet-4-6: ["gpt-5.4"]
        """;

    /// <summary>The SDK-to-proxy lesson's step-1 config: bare names, a load-balanced group, Redis cache, Langfuse.</summary>
    public const string SdkLessonConfig = """
        # litellm_config.yaml
        model_list:
          - model_name: claude-sonnet
            litellm_params:
              model: claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY
              rpm: 500 # requests per minute - used by usage-based routing
              tpm: 200000 # tokens per minute
          - model_name: claude-haiku
            litellm_params:
              model: claude-haiku-4-5-20251001
              api_key: os.environ/ANTHROPIC_API_KEY
              rpm: 2000
              tpm: 1000000
          - model_name: gpt-4o
            litellm_params:
              model: gpt-4o
              api_key: os.environ/OPENAI_API_KEY
              rpm: 500
              tpm: 150000
          - model_name: claude-sonnet-lb
            litellm_params:
              model: claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_1
          - model_name: claude-sonnet-lb
            litellm_params:
              model: claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_2
          - model_name: claude-sonnet-lb
            litellm_params:
              model: claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_3
        router_settings:
          routing_strategy: latency-based-routing # lowest P95 latency wins
          num_retries: 3
          retry_after: 5 # seconds between retries
          allowed_fails: 3 # failures before cooldown
          cooldown_time: 60 # seconds to cooldown failing key
        litellm_settings:
          # Semantic caching backed by Redis
          cache: true
          cache_params:
            type: redis
            host: redis
            port: 6379
            similarity_threshold: 0.93
          # Global fallback chain: if claude-sonnet fails, try these in order
          fallbacks:
            - claude-sonnet: ["gpt-4o", "claude-haiku"]
          # Observability callbacks
          success_callback: ["langfuse"]
          failure_callback: ["langfuse"]
          # Per-request timeout
          request_timeout: 60
        general_settings:
          master_key: os.environ/LITELLM_MASTER_KEY # required auth key for proxy admin API
          database_url: os.environ/DATABASE_URL # PostgreSQL for spend tracking
          store_model_in_db: true
        """;

    /// <summary>The Docker/VPS guide's config once every step is applied (OpenAI, Anthropic, Groq, Ollama, fallbacks).</summary>
    public const string VpsGuide = """
        model_list:
          - model_name: gpt-5.2
            litellm_params:
              model: openai/gpt-5.2
              api_key: os.environ/OPENAI_API_KEY

          - model_name: claude-sonnet
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY

          - model_name: llama-groq
            litellm_params:
              model: groq/llama-3.3-70b-versatile
              api_key: os.environ/GROQ_API_KEY

          - model_name: llama-local
            litellm_params:
              model: ollama/llama3.3:8b
              api_base: http://host.docker.internal:11434

        router_settings:
          routing_strategy: least-busy
          num_retries: 3
          retry_after: 5
          fallbacks:
            - {"gpt-5.2": ["claude-sonnet"]}
            - {"claude-sonnet": ["llama-groq"]}
          context_window_fallbacks:
            - {"gpt-5.2": ["claude-sonnet"]}

        general_settings:
          master_key: os.environ/LITELLM_MASTER_KEY
        """;

    /// <summary>The proxy overview's "production-ready starting point" (bare names, a pool, PostgreSQL).</summary>
    public const string Overview = """
        model_list:
          # Primary: Claude for quality tasks
          - model_name: claude-quality
            litellm_params:
              model: claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY
          # Fast: GPT-4o-mini for high-volume cheap tasks
          - model_name: gpt-fast
            litellm_params:
              model: gpt-4o-mini
              api_key: os.environ/OPENAI_API_KEY
          # Load balanced pool: multiple GPT-4o deployments
          - model_name: gpt4o-pool
            litellm_params:
              model: gpt-4o
              api_key: os.environ/OPENAI_API_KEY_1
          - model_name: gpt4o-pool
            litellm_params:
              model: gpt-4o
              api_key: os.environ/OPENAI_API_KEY_2
        litellm_settings:
          # Global fallback order
          fallbacks: [{"gpt4o-pool": ["claude-quality"]}]
          num_retries: 3
          request_timeout: 60
          # Drop unsupported params silently
          drop_params: true
        general_settings:
          master_key: os.environ/LITELLM_MASTER_KEY
          database_url: os.environ/DATABASE_URL # PostgreSQL for virtual keys
        """;

    /// <summary>The SDK-to-proxy lesson's closing "production configuration" (Redis, Langfuse, PostgreSQL).</summary>
    public const string SdkLessonProduction = """
        # litellm_config.yaml - production configuration
        model_list:
          # Primary: Claude Sonnet with 3 keys for throughput
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_1
              rpm: 500
              tpm: 200_000
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_2
              rpm: 500
              tpm: 200_000
          - model_name: claude-primary
            litellm_params:
              model: anthropic/claude-sonnet-4-6
              api_key: os.environ/ANTHROPIC_API_KEY_3
              rpm: 1000
              tpm: 400_000 # Higher-tier key
          # Fallback: OpenAI GPT-4o
          - model_name: openai-fallback
            litellm_params:
              model: openai/gpt-4o
              api_key: os.environ/OPENAI_API_KEY
          # Budget model: Claude Haiku for low-cost tasks
          - model_name: claude-budget
            litellm_params:
              model: anthropic/claude-haiku-4-5-20251001
              api_key: os.environ/ANTHROPIC_API_KEY_1
        router_settings:
          routing_strategy: usage-based-routing-v2
          redis_url: os.environ/REDIS_URL
          num_retries: 2
          retry_after: 5
          allowed_fails: 3
          cooldown_time: 60
          fallbacks:
            - {"claude-primary": ["openai-fallback"]}
        litellm_settings:
          success_callback: ["langfuse"]
          failure_callback: ["langfuse"]
          set_verbose: false
          # Semantic caching
          cache: true
          cache_params:
            type: redis
            host: os.environ/REDIS_HOST
            port: 6379
            similarity_threshold: 0.95
            supported_call_types: ["acompletion", "completion"]
        general_settings:
          database_url: os.environ/DATABASE_URL # PostgreSQL for spend tracking
          store_model_in_db: true
          master_key: os.environ/LITELLM_MASTER_KEY
        environment_variables:
          LANGFUSE_PUBLIC_KEY: os.environ/LANGFUSE_PUBLIC_KEY
          LANGFUSE_SECRET_KEY: os.environ/LANGFUSE_SECRET_KEY
        """;

    public static readonly Dictionary<string, string> SdkLessonProductionEnvironment = new()
    {
        ["ANTHROPIC_API_KEY_1"] = "sk-ant-1", ["ANTHROPIC_API_KEY_2"] = "sk-ant-2", ["ANTHROPIC_API_KEY_3"] = "sk-ant-3",
        ["OPENAI_API_KEY"] = "sk-openai", ["LITELLM_MASTER_KEY"] = "sk-litellm-master", ["REDIS_URL"] = "redis://redis:6379",
        ["REDIS_HOST"] = "redis", ["DATABASE_URL"] = "postgresql://litellm:password@localhost:5432/litellm",
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1", ["LANGFUSE_SECRET_KEY"] = "sk-lf-1",
    };
}
