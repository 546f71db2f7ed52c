using System.Globalization;
using System.Xml;

namespace EdgeGw.Providers.Bedrock.Aws;

/// <summary>
/// Reads STS Query API answers (<c>AssumeRoleResponse</c>, <c>AssumeRoleWithWebIdentityResponse</c>,
/// <c>ErrorResponse</c>) with <see cref="XmlReader"/>: the element names are unique in each, so a flat scan suffices.
/// </summary>
internal static class StsResponse
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreComments = true, IgnoreWhitespace = true, MaxCharactersInDocument = 1 << 20,
    };

    public static AwsCredentials ReadCredentials(Stream xml)
    {
        string? keyId = null, secret = null, token = null, expiration = null;
        using (var reader = XmlReader.Create(xml, Settings))
        {
            // ReadElementContentAsString leaves the reader on the next node, so only read on when nothing was taken.
            while (!reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    reader.Read();
                    continue;
                }
                switch (reader.LocalName)
                {
                    case "AccessKeyId": keyId = reader.ReadElementContentAsString(); break;
                    case "SecretAccessKey": secret = reader.ReadElementContentAsString(); break;
                    case "SessionToken": token = reader.ReadElementContentAsString(); break;
                    case "Expiration": expiration = reader.ReadElementContentAsString(); break;
                    default: reader.Read(); break;
                }
            }
        }
        if (string.IsNullOrEmpty(keyId) || string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(token))
            throw new XmlException("the answer has no Credentials (AccessKeyId, SecretAccessKey, SessionToken)");
        DateTimeOffset? expires = DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var e) ? e : null;
        return new AwsCredentials(keyId, secret, token, expires);
    }

    /// <summary><c>Code: Message</c> of an <c>ErrorResponse</c>, or null when the body is not one.</summary>
    public static string? ReadError(Stream xml)
    {
        string? code = null, message = null;
        try
        {
            using var reader = XmlReader.Create(xml, Settings);
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Code")
                    code = reader.ReadElementContentAsString();
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Message")
                    message = reader.ReadElementContentAsString();
                else
                    reader.Read();
            }
        }
        catch (XmlException)
        {
            return null;
        }
        return code is null ? null : message is null ? code : $"{code}: {message}";
    }
}
