using System.Text;
using BenchmarkDotNet.Attributes;
using EdgeGw.Api;

namespace EdgeGw.Bench;

/// <summary>The per-request work before routing: one validating pass over the client's JSON.</summary>
public class ChatRequestBenchmarks
{
    private readonly byte[] _body = Encoding.UTF8.GetBytes("""
        {"model":"my-gpt","stream":true,"temperature":0.2,"messages":[
          {"role":"system","content":"You are a helpful assistant."},
          {"role":"user","content":"What is the weather like in Boston today? Answer in one sentence, please."}],
         "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]}
        """);

    [Benchmark]
    public int ParseChatRequest()
    {
        Span<char> name = stackalloc char[ChatRequestParser.MaxModelNameChars];
        ChatRequestParser.Parse(_body, out var request, name, out var length);
        return length + request.Messages.Length;
    }
}
