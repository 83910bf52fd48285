using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.RegularExpressions;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Errors;

/// <summary>The problem batteries share one service (one database, one sign-in of each kind of caller).</summary>
[CollectionDefinition(Name)]
public sealed class ProblemBattery : ICollectionFixture<BatteryFactory>
{
    public const string Name = "Problem battery";
}

/// <summary>
/// The service the batteries call, with rate limits out of their reach, and the callers they call it as: for each
/// operation the first of an admin, a borrower and a channel that the endpoint's own authorization policy admits (or
/// nobody, where it allows anonymous callers), so every request reaches the handler.
/// </summary>
public sealed partial class BatteryFactory : ApiFactory
{
    private readonly SemaphoreSlim _signingIn = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BatteryCaller> _callers = new(StringComparer.Ordinal);
    private IReadOnlyList<(BatteryCaller Caller, ClaimsPrincipal As)>? _candidates;
    private string? _productId;
    private HttpClient? _client;

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["RateLimits:BorrowerPerMinute"] = "1000000",
        ["RateLimits:StaffPerMinute"] = "1000000",
        ["RateLimits:AnonymousPerIpPerMinute"] = "1000000",
        ["RateLimits:FailedApiKeysPerIpPerMinute"] = "1000000",
    };

    /// <summary>One contract-checked client without credentials of its own: each request carries its caller's.</summary>
    public HttpClient Client => _client ??= CreateApiClient();

    /// <summary>Sends <paramref name="request"/> as the caller <paramref name="operation"/> wants, unless it names its own credentials.</summary>
    public async Task<HttpResponseMessage> SendAsync(BatteryOperation operation, HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.Contains("Authorization") && !request.Headers.Contains(ApiKeyAuthenticationHandler.HeaderName))
        {
            (await CallerAsync(operation)).Sign(request);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>
    /// The operation's valid body: its JSON (see <see cref="BatteryBodies"/>), or for a document upload a form with a kind
    /// and a small PNG; null when it takes none.
    /// </summary>
    public async Task<HttpContent?> ValidContentAsync(BatteryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (operation.TakesJson)
        {
            return new StringContent(await FillAsync(BatteryBodies.For(operation.Key).Valid), Encoding.UTF8, "application/json");
        }

        if (operation.Operation.RequestBody?.Content.ContainsKey("multipart/form-data") == true)
        {
            var image = new ByteArrayContent([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
            image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return new MultipartFormDataContent { { new StringContent("id_front"), "kind" }, { image, "file", "id.png" } };
        }

        return null;
    }

    /// <summary><paramref name="body"/> with its placeholders (see <see cref="BatteryBodies"/>) filled.</summary>
    public async Task<string> FillAsync(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        await SignInOnceAsync();
        body = body.Replace("{productId}", _productId, StringComparison.Ordinal);
        return Placeholder().Replace(body, m => m.Value == "{unique}" ? Guid.NewGuid().ToString("N")[..12] : Guid.NewGuid().ToString());
    }

    /// <summary>Who the batteries call <paramref name="operation"/> as.</summary>
    public async Task<BatteryCaller> CallerAsync(BatteryOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await SignInOnceAsync();
        if (!_callers.TryGetValue(operation.Key, out var caller))
        {
            _callers[operation.Key] = caller = await ChooseCallerAsync(operation);
        }

        return caller;
    }

    /// <summary>
    /// Signs each kind of caller in, once: later sign-ins could meet a lock-out the batteries' wrong passwords caused.
    /// Also puts a product on offer for the bodies that name one.
    /// </summary>
    private async Task SignInOnceAsync()
    {
        await _signingIn.WaitAsync();
        try
        {
            if (_candidates is not null)
            {
                return;
            }

            using var admin = await CreateAdminClientAsync();
            using var borrower = await CreateBorrowerClientAsync();
            var (_, _, key) = await admin.CreateChannelWithKeyAsync(rateLimitPerMinute: 100_000);
            _productId = (await admin.CreateProductAsync()).GetProperty("id").GetString();
            _candidates =
            [
                (new BatteryCaller("admin", admin.DefaultRequestHeaders.Authorization!.Parameter, null), As(Caller.Staff, Roles.Admin)),
                (new BatteryCaller("borrower", borrower.DefaultRequestHeaders.Authorization!.Parameter, null), As(Caller.Borrower)),
                (new BatteryCaller("channel", null, key), As(Caller.Channel)),
            ];
        }
        finally
        {
            _signingIn.Release();
        }
    }

    private async Task<BatteryCaller> ChooseCallerAsync(BatteryOperation operation)
    {
        var endpoint = Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SingleOrDefault(e => RouteOf(e) == operation.Path
                && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(operation.Method) ?? false))
            ?? throw new InvalidOperationException($"The service maps no endpoint for {operation.Key}.");
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return BatteryCaller.Anonymous;
        }

        var policy = await AuthorizationPolicy.CombineAsync(Services.GetRequiredService<IAuthorizationPolicyProvider>(),
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        var authorization = Services.GetRequiredService<IAuthorizationService>();
        foreach (var (caller, principal) in _candidates!)
        {
            if (policy is null || (await authorization.AuthorizeAsync(principal, null, policy)).Succeeded)
            {
                return caller;
            }
        }

        throw new InvalidOperationException($"Neither an admin, a borrower nor a channel may call {operation.Key}.");
    }

    private static ClaimsPrincipal As(string kind, params string[] roles) => new(new ClaimsIdentity(
        [new Claim(Caller.SubjectClaim, Guid.NewGuid().ToString()), new Claim(Caller.KindClaim, kind), .. roles.Select(r => new Claim(Caller.RoleClaim, r))],
        "battery", Caller.NameClaim, Caller.RoleClaim));

    /// <summary>An endpoint's route as the contract writes it: no constraints, no trailing slash.</summary>
    private static string RouteOf(RouteEndpoint e)
    {
        var route = RouteConstraint().Replace(e.RoutePattern.RawText ?? "", "}");
        return route.Length > 1 ? route.TrimEnd('/') : route;
    }

    [GeneratedRegex(":[^}]+\\}")]
    private static partial Regex RouteConstraint();

    [GeneratedRegex("\\{unique\\}|\\{id\\}")]
    private static partial Regex Placeholder();
}

/// <summary>Credentials a battery request is sent with: a bearer token, a channel's API key, or none.</summary>
public sealed record BatteryCaller(string Name, string? Token, string? ApiKey)
{
    public static BatteryCaller Anonymous { get; } = new("anonymous", null, null);

    public void Sign(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (ApiKey is not null)
        {
            request.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, ApiKey);
        }
    }
}
