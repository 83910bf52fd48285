using System.Net.Http.Headers;

namespace HeadlessLoan.Client;

/// <summary>Creates <see cref="HeadlessLoanClient"/>s without dependency injection.</summary>
/// <remarks>
/// Create one client per set of credentials and keep it: each owns an <see cref="HttpClient"/>.
/// In an application with a service container prefer
/// <see cref="HeadlessLoanServiceCollectionExtensions.AddHeadlessLoanClient(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{HeadlessLoanClientOptions})"/>.
/// </remarks>
public static class HeadlessLoanClientFactory
{
    /// <summary>The header that carries a channel's API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Creates a client for the given options.</summary>
    /// <param name="options">Base URL and credentials.</param>
    /// <param name="handler">An optional message handler (proxies, logging, tests); the client owns it.</param>
    public static HeadlessLoanClient Create(HeadlessLoanClientOptions options, HttpMessageHandler? handler = null)
        => new(CreateHttpClient(options, handler));

    /// <summary>Creates a client for a base URL and optional credentials.</summary>
    public static HeadlessLoanClient Create(Uri baseUrl, string? apiKey = null, string? bearerToken = null)
        => Create(new HeadlessLoanClientOptions { BaseUrl = baseUrl, ApiKey = apiKey, BearerToken = bearerToken });

    /// <summary>Creates an <see cref="HttpClient"/> set up for the API: base address and credential headers.</summary>
    public static HttpClient CreateHttpClient(HeadlessLoanClientOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var httpClient = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        try
        {
            Configure(httpClient, options);
            return httpClient;
        }
        catch
        {
            httpClient.Dispose();
            throw;
        }
    }

    /// <summary>Applies the options to an existing <see cref="HttpClient"/>.</summary>
    public static void Configure(HttpClient httpClient, HeadlessLoanClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        // The generated operations use relative paths ("v1/products"), so the base must end with '/'.
        var baseUrl = options.BaseUrl.AbsoluteUri;
        httpClient.BaseAddress = new Uri(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/", UriKind.Absolute);
        if (options.Timeout is { } timeout)
        {
            httpClient.Timeout = timeout;
        }

        var headers = httpClient.DefaultRequestHeaders;
        headers.Remove(ApiKeyHeader);
        headers.Authorization = null;
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            headers.Add(ApiKeyHeader, options.ApiKey);
        }

        if (!string.IsNullOrEmpty(options.BearerToken))
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
        }
    }
}
