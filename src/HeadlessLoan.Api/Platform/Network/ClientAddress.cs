namespace HeadlessLoan.Api.Platform.Network;

/// <summary>The address a request came from, as every limit, record and fraud signal uses it.</summary>
public static class ClientAddress
{
    /// <summary>The caller's address in its plain form (an IPv4 address mapped into IPv6 shown as IPv4); null when unknown.</summary>
    public static string? Of(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
    }
}
