namespace EdgeGw.Tests.Infrastructure;

/// <summary>Config snippets copied verbatim from the LiteLLM tutorials in the issue (shared by unit and E2E tests).</summary>
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
}
