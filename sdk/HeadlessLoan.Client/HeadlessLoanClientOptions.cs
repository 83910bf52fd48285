namespace HeadlessLoan.Client;

/// <summary>Where the HeadlessLoan API is and which credentials to present.</summary>
public sealed class HeadlessLoanClientOptions
{
    /// <summary>The API's base address, for example <c>https://loan.example.com/</c>. Required.</summary>
    public Uri BaseUrl { get; set; } = null!;

    /// <summary>A channel's API key (<c>hlk_…</c>), sent as <c>X-Api-Key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A staff (or borrower) access token, sent as <c>Authorization: Bearer</c>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>How long one request may take; <see cref="System.Net.Http.HttpClient"/>'s default (100 s) when absent.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Throws when the options cannot configure a client.</summary>
    /// <exception cref="InvalidOperationException">The base URL is missing or relative, or both credentials are set.</exception>
    public void Validate()
    {
        if (BaseUrl is null)
        {
            throw new InvalidOperationException("HeadlessLoanClientOptions.BaseUrl is required.");
        }

        if (!BaseUrl.IsAbsoluteUri)
        {
            throw new InvalidOperationException($"HeadlessLoanClientOptions.BaseUrl must be absolute, got '{BaseUrl}'.");
        }

        if (!string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(BearerToken))
        {
            throw new InvalidOperationException("Set either HeadlessLoanClientOptions.ApiKey or BearerToken, not both.");
        }
    }
}
