using System.Buffers;
using System.Text;
using EdgeGw.Json;

namespace EdgeGw.Tests.Buffers;

public sealed class ThreadJsonWriterTests
{
    [Fact]
    public void SequentialRents_EachOutputHoldsOnlyItsOwnDocument()
    {
        var first = new ArrayBufferWriter<byte>();
        using (ThreadJsonWriter.Rent(first, out var json))
        {
            json.WriteStartObject();
            json.WriteString("a"u8, "1");
            json.WriteEndObject();
        }
        var second = new ArrayBufferWriter<byte>();
        using (ThreadJsonWriter.Rent(second, out var json))
        {
            json.WriteStartArray();
            json.WriteNumberValue(2);
            json.WriteEndArray();
        }
        Assert.Equal("""{"a":"1"}""", Encoding.UTF8.GetString(first.WrittenSpan));
        Assert.Equal("[2]", Encoding.UTF8.GetString(second.WrittenSpan));
    }

    [Fact]
    public void NestedRent_GetsAWriterOfItsOwnAndBothDocumentsAreWhole()
    {
        var outer = new ArrayBufferWriter<byte>();
        var inner = new ArrayBufferWriter<byte>();
        using (ThreadJsonWriter.Rent(outer, out var o))
        {
            o.WriteStartObject();
            using (ThreadJsonWriter.Rent(inner, out var i))
            {
                Assert.NotSame(o, i);
                i.WriteStartObject();
                i.WriteString("inner"u8, "x");
                i.WriteEndObject();
            }
            o.WriteString("outer"u8, "y");
            o.WriteEndObject();
        }
        Assert.Equal("""{"outer":"y"}""", Encoding.UTF8.GetString(outer.WrittenSpan));
        Assert.Equal("""{"inner":"x"}""", Encoding.UTF8.GetString(inner.WrittenSpan));
    }

    [Fact]
    public void WriterThrewMidDocument_NextRentStartsClean()
    {
        var broken = new ArrayBufferWriter<byte>();
        Assert.Throws<InvalidOperationException>(() =>
        {
            using var lease = ThreadJsonWriter.Rent(broken, out var json);
            json.WriteStartObject();
            json.WriteEndArray(); // invalid: throws with the object open
        });
        var next = new ArrayBufferWriter<byte>();
        using (ThreadJsonWriter.Rent(next, out var json))
            json.WriteNumberValue(3);
        Assert.Equal("3", Encoding.UTF8.GetString(next.WrittenSpan));
    }
}
