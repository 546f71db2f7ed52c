using System.Text;
using System.Text.Json;
using EdgeGw.Api;
using EdgeGw.Api.Responses;
using EdgeGw.Buffers;
using EdgeGw.Json;
using EdgeGw.Streaming;
using EdgeGw.Tests.Infrastructure;

namespace EdgeGw.Tests.Responses;

/// <summary>The Responses stream as the official SDKs read it, driven by the canonical events alone.</summary>
public sealed class ResponsesEventEncoderTests
{
    private static ResponsesStreamHead Head() => new(
        "\"resp_abc123\""u8.ToArray(), "\"claude-alias\""u8.ToArray(), 1_700_000_000,
        "\"instructions\":\"Be brief.\",\"temperature\":0.5,\"tools\":[],"u8.ToArray());

    private static readonly Usage FinalUsage = new()
    {
        Present = true, PromptTokens = 12, CompletionTokens = 7, CachedTokens = 4, ReasoningTokens = 2,
    };

    private static IReadOnlyList<Sse.Event> Run(Action<ResponsesEventEncoder, PooledBufferWriter> drive)
    {
        using var output = new PooledBufferWriter(4096);
        var encoder = new ResponsesEventEncoder(Head());
        drive(encoder, output);
        var events = Sse.Parse(Encoding.UTF8.GetString(output.WrittenSpan));
        for (var i = 0; i < events.Count; i++)
        {
            var json = events[i].Json;
            Assert.Equal(events[i].Name, json.GetProperty("type").GetString());
            Assert.Equal(i, json.GetProperty("sequence_number").GetInt32());
        }
        return events;
    }

    private static string[] Types(IReadOnlyList<Sse.Event> events) => events.Select(e => e.Name!).ToArray();

    private static JsonElement Last(IReadOnlyList<Sse.Event> events, string type) => events.Last(e => e.Name == type).Json;

    [Fact]
    public void TextStream_FollowsTheGrammarAndAccumulatesTheText()
    {
        var events = Run((e, o) =>
        {
            e.Start(o, "chatcmpl-1"u8);
            e.Text(o, 0, "Hel"u8);
            e.Text(o, 0, "lo \\\"x\\\"\\n"u8);
            e.Finish(o, 0, FinishReason.Stop);
            e.Done(o, FinalUsage);
        });

        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.delta", "response.output_text.done", "response.content_part.done",
            "response.output_item.done", "response.completed",
        ], Types(events));
        const string full = "Hello \"x\"\n";
        Assert.Equal("Hel", events[4].Json.GetProperty("delta").GetString());
        Assert.Equal(full, Last(events, "response.output_text.done").GetProperty("text").GetString());
        Assert.Equal(full, Last(events, "response.content_part.done").GetProperty("part").GetProperty("text").GetString());

        var created = events[0].Json.GetProperty("response");
        Assert.Equal("resp_abc123", created.GetProperty("id").GetString());
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal(0, created.GetProperty("output").GetArrayLength());
        Assert.Equal("Be brief.", created.GetProperty("instructions").GetString());

        var response = Last(events, "response.completed").GetProperty("response");
        Assert.Equal("completed", response.GetProperty("status").GetString());
        Assert.Equal("claude-alias", response.GetProperty("model").GetString());
        Assert.Equal(0.5, response.GetProperty("temperature").GetDouble());
        var message = Assert.Single(response.GetProperty("output").EnumerateArray());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal(full, message.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(events[2].Json.GetProperty("item").GetProperty("id").GetString(), message.GetProperty("id").GetString());
        Assert.StartsWith("msg_", message.GetProperty("id").GetString(), StringComparison.Ordinal);

        var usage = response.GetProperty("usage");
        Assert.Equal(12, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(4, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(7, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(19, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public void TextThenTwoToolCalls_EachGetsItsOwnItemAndOutputIndex()
    {
        var events = Run((e, o) =>
        {
            e.Text(o, 0, "Checking."u8);
            e.ToolCallStart(o, 0, 0, "call_1"u8, "get_weather"u8);
            e.ToolArguments(o, 0, 0, "{\\\"city\\\":"u8);
            e.ToolArguments(o, 0, 0, "\\\"Paris\\\"}"u8);
            e.ToolCallStart(o, 0, 1, "call_2"u8, "get_time"u8);
            e.ToolArguments(o, 0, 1, "{}"u8);
            e.Finish(o, 0, FinishReason.ToolCalls);
            e.Done(o, FinalUsage);
        });

        var added = events.Where(x => x.Name == "response.output_item.added").Select(x => x.Json).ToList();
        Assert.Equal([0, 1, 2], added.Select(a => a.GetProperty("output_index").GetInt32()));
        Assert.Equal(["message", "function_call", "function_call"], added.Select(a => a.GetProperty("item").GetProperty("type").GetString()));
        Assert.Equal("call_1", added[1].GetProperty("item").GetProperty("call_id").GetString());

        var argsDone = events.Where(x => x.Name == "response.function_call_arguments.done").Select(x => x.Json).ToList();
        Assert.Equal("{\"city\":\"Paris\"}", argsDone[0].GetProperty("arguments").GetString());
        Assert.Equal("get_weather", argsDone[0].GetProperty("name").GetString());
        Assert.Equal(1, argsDone[0].GetProperty("output_index").GetInt32());
        Assert.Equal("{}", argsDone[1].GetProperty("arguments").GetString());
        Assert.Equal(added[2].GetProperty("item").GetProperty("id").GetString(), argsDone[1].GetProperty("item_id").GetString());

        // Each item is done before the next is added.
        var types = Types(events);
        Assert.True(Array.IndexOf(types, "response.function_call_arguments.done") < Array.LastIndexOf(types, "response.output_item.added"));

        var output = Last(events, "response.completed").GetProperty("response").GetProperty("output");
        Assert.Equal(3, output.GetArrayLength());
        var call = output[1];
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("call_1", call.GetProperty("call_id").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", call.GetProperty("arguments").GetString());
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.StartsWith("fc_", call.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal("get_time", output[2].GetProperty("name").GetString());
        Assert.Equal(3, output.EnumerateArray().Select(i => i.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public void ReasoningThenText_ReasoningIsASummaryItemBeforeTheMessage()
    {
        var events = Run((e, o) =>
        {
            e.Reasoning(o, 0, "Think "u8);
            e.Reasoning(o, 0, "hard."u8);
            e.Text(o, 0, "42"u8);
            e.Finish(o, 0, FinishReason.Stop);
            e.Done(o, FinalUsage);
        });

        Assert.Equal(
        [
            "response.created", "response.in_progress", "response.output_item.added", "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done", "response.output_item.done", "response.output_item.added", "response.content_part.added",
            "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed",
        ], Types(events));
        Assert.Equal("Think hard.", Last(events, "response.reasoning_summary_text.done").GetProperty("text").GetString());
        var output = Last(events, "response.completed").GetProperty("response").GetProperty("output");
        Assert.Equal("reasoning", output[0].GetProperty("type").GetString());
        Assert.Equal("Think hard.", output[0].GetProperty("summary")[0].GetProperty("text").GetString());
        Assert.Equal("42", output[1].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData((int)FinishReason.Length, "max_output_tokens")]
    [InlineData((int)FinishReason.ContentFilter, "content_filter")]
    public void CutShort_EndsWithResponseIncomplete(int finish, string expected)
    {
        var reason = (FinishReason)finish;
        var events = Run((e, o) =>
        {
            e.Text(o, 0, "Partial"u8);
            e.Finish(o, 0, reason);
            e.Done(o, FinalUsage);
        });

        Assert.Equal("response.incomplete", events[^1].Name);
        var response = events[^1].Json.GetProperty("response");
        Assert.Equal("incomplete", response.GetProperty("status").GetString());
        Assert.Equal(expected, response.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal("Partial", response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("incomplete", response.GetProperty("output")[0].GetProperty("status").GetString());
        Assert.Equal(7, response.GetProperty("usage").GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public void ErrorAfterFirstByte_EndsWithErrorAndResponseFailed()
    {
        var events = Run((e, o) =>
        {
            e.Text(o, 0, "Half an ans"u8);
            e.Error(o, new GatewayError(502, "Deployment 'x' reported an error mid-stream: \"overloaded\"", "api_error", "502"));
            e.Done(o, FinalUsage); // nothing may follow the failure
        });

        Assert.Equal(["error", "response.failed"], Types(events)[^2..]);
        var error = events[^2].Json;
        Assert.Equal("server_error", error.GetProperty("code").GetString());
        Assert.Contains("\"overloaded\"", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var response = events[^1].Json.GetProperty("response");
        Assert.Equal("failed", response.GetProperty("status").GetString());
        Assert.Equal("server_error", response.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("mid-stream", response.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Half an ans", response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.DoesNotContain(events, x => x.Name == "response.completed");
    }

    [Fact]
    public void ErrorBeforeAnyEvent_StillOpensTheStreamThenFails()
    {
        var events = Run((e, o) => e.Error(o, new GatewayError(429, "Rate limited", "rate_limit_error", "429")));

        Assert.Equal(["response.created", "response.in_progress", "error", "response.failed"], Types(events));
        Assert.Equal("rate_limit_exceeded", events[^1].Json.GetProperty("response").GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public void EmptyAnswer_CompletesWithNoOutputItems()
    {
        var events = Run((e, o) => e.Done(o, default));

        Assert.Equal(["response.created", "response.in_progress", "response.completed"], Types(events));
        Assert.Equal(0, events[^1].Json.GetProperty("response").GetProperty("output").GetArrayLength());
    }

    private const int Deltas = 1000;

    private static long EncodeLongStream(ResponsesEventEncoder encoder, PooledBufferWriter output, out long steady)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        encoder.Start(output, default);
        encoder.Reasoning(output, 0, "first"u8);
        encoder.Text(output, 0, "warm"u8);
        encoder.ToolCallStart(output, 0, 0, "call_1"u8, "f"u8);
        encoder.ToolArguments(output, 0, 0, "{"u8);
        encoder.Text(output, 0, "a"u8);
        var start = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Deltas; i++)
        {
            encoder.Text(output, 0, " token \\\"漢字\\\" 😀"u8);
            if (output.WrittenCount > 32 * 1024)
                output.Reset(); // as the relay's flush would
        }
        steady = GC.GetAllocatedBytesForCurrentThread() - start;
        encoder.Finish(output, 0, FinishReason.Stop);
        encoder.Done(output, FinalUsage);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void ThousandEventStream_AllocatesNothingPerEvent()
    {
        using var output = new PooledBufferWriter(256 * 1024);
        EncodeLongStream(new ResponsesEventEncoder(Head()), output, out _); // warm-up: JIT, pool buckets
        output.Reset();

        var encoder = new ResponsesEventEncoder(Head());
        var whole = EncodeLongStream(encoder, output, out var steady);

        Assert.True(steady == 0, $"{steady} B over {Deltas} deltas");
        Assert.True((double)whole / Deltas < 1.0, $"whole stream allocated {whole} B over {Deltas} events");
    }
}
