using YamlDotNet.RepresentationModel;

namespace EdgeGw.Config;

/// <summary>A <c>model_list</c> entry (at <paramref name="Index"/>) naming a credential that <c>credential_list</c> lacks: it may be stored.</summary>
internal sealed record BorrowingDeployment(int Index, YamlMappingNode Entry, string CredentialName);
