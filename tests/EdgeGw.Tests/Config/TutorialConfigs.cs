namespace EdgeGw.Tests.Config;

/// <summary>Config files from LiteLLM tutorials, kept literally (only re-indented where the page lost it).</summary>
public static class TutorialConfigs
{
    // A production tutorial's config.yaml, literally.
    public const string Production = """
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

    public static readonly Dictionary<string, string> ProductionEnvironment = new()
    {
        ["ANTHROPIC_API_KEY_1"] = "sk-ant-1", ["ANTHROPIC_API_KEY_2"] = "sk-ant-2", ["ANTHROPIC_API_KEY_3"] = "sk-ant-3",
        ["OPENAI_API_KEY"] = "sk-openai", ["LITELLM_MASTER_KEY"] = "sk-litellm-master", ["REDIS_URL"] = "redis://redis:6379",
        ["REDIS_HOST"] = "redis", ["DATABASE_URL"] = "postgresql://litellm:password@localhost:5432/litellm",
        ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1", ["LANGFUSE_SECRET_KEY"] = "sk-lf-1",
    };
}
