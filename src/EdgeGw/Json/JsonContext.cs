using System.Text.Json.Serialization;

namespace EdgeGw;

/// <summary>Source-generated JSON metadata: the only serializer the gateway uses.</summary>
[JsonSerializable(typeof(string))]
internal sealed partial class JsonContext : JsonSerializerContext;
