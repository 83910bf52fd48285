using HeadlessLoan.Api.Platform.Idempotency;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Auth;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Platform.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HeadlessLoan.Api.Features.Channels;

public sealed record CreateChannelRequest(string? Name, int? RateLimitPerMinute);

public sealed record ChannelResponse(Guid Id, string Name, string Status, int RateLimitPerMinute, DateTimeOffset CreatedAt);

public sealed record ChannelListResponse(IReadOnlyList<ChannelResponse> Items);

public sealed record CreatedApiKeyResponse(Guid Id, Guid ChannelId, string Key, string Prefix, DateTimeOffset CreatedAt);

public sealed record ApiKeyResponse(Guid Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

public sealed record ApiKeyListResponse(IReadOnlyList<ApiKeyResponse> Items);

/// <summary>Third-party channels and their API keys; administered by admins only.</summary>
public static class ChannelsApi
{
    public const int DefaultRateLimitPerMinute = 600;

    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/channels").WithTags("Channels").RequireAuthorization(Policies.Admin);

        group.MapPost("/", CreateChannel).WithName("CreateChannel").WithSummary("Register a third-party channel")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(400, 409, 422)
            .Validates<CreateChannelRequest>(ValidateCreateChannel);
        group.MapGet("/", ListChannels).WithName("ListChannels").WithSummary("List channels")
            .ProducesAuthProblems(forbidden: true);
        group.MapGet("/{channelId:guid}", GetChannel).WithName("GetChannel").WithSummary("Read one channel")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPost("/{channelId:guid}/api-keys", CreateApiKey).WithName("CreateChannelApiKey")
            .WithSummary("Issue an API key; the key is shown in this answer only")
            .WithMetadata(new SecretsInAnswer("key"))
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapGet("/{channelId:guid}/api-keys", ListApiKeys).WithName("ListChannelApiKeys").WithSummary("List a channel's keys (never the secret)")
            .ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        group.MapPost("/{channelId:guid}/api-keys/{keyId:guid}/revoke", RevokeApiKey).WithName("RevokeChannelApiKey")
            .WithSummary("Revoke a key at once").ProducesAuthProblems(forbidden: true).ProducesProblems(404);
        return app;
    }

    private static void ValidateCreateChannel(CreateChannelRequest request, RequestValidator v, HttpContext http)
    {
        if (v.Required(request.Name, "name"))
        {
            v.Length(request.Name!.Trim(), 1, 100, "name");
        }

        v.Range(request.RateLimitPerMinute, 1, 100_000, "rateLimitPerMinute");
    }

    public static async Task<Results<Created<ChannelResponse>, ProblemHttpResult>> CreateChannel(
        CreateChannelRequest request, HttpContext http, CurrentCaller caller, ChannelStore store, TimeProvider clock, CancellationToken ct)
    {
        var row = new ChannelRow(Guid.CreateVersion7(), request.Name!.Trim(), "active", request.RateLimitPerMinute ?? DefaultRateLimitPerMinute, DbTime.Now(clock));
        if (!await store.InsertAsync(row, caller.Actor, ct))
        {
            return Problems.Conflict("channel_name_taken", "A channel with this name already exists.");
        }

        return TypedResults.Created($"/v1/channels/{row.Id}", ToResponse(row));
    }

    public static async Task<Ok<ChannelListResponse>> ListChannels(ChannelStore store, CancellationToken ct) =>
        TypedResults.Ok(new ChannelListResponse((await store.ListAsync(ct)).Select(ToResponse).ToList()));

    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> GetChannel(Guid channelId, ChannelStore store, CancellationToken ct) =>
        await store.GetAsync(channelId, ct) is { } row ? TypedResults.Ok(ToResponse(row)) : Problems.NotFound("The channel");

    public static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateApiKey(
        Guid channelId, HttpContext http, CurrentCaller caller, ChannelStore store, TimeProvider clock, CancellationToken ct)
    {
        var key = ApiKeys.Generate();
        var row = new ApiKeyRow(Guid.CreateVersion7(), channelId, ApiKeys.DisplayPrefix(key), DbTime.Now(clock), null);
        if (!await store.InsertKeyAsync(row, ApiKeys.Hash(key), caller.Actor, ct))
        {
            return Problems.NotFound("The active channel");
        }

        return TypedResults.Created(
            $"/v1/channels/{channelId}/api-keys/{row.Id}",
            new CreatedApiKeyResponse(row.Id, channelId, key, row.Prefix, DbTime.ToOffset(row.CreatedAt)));
    }

    public static async Task<Results<Ok<ApiKeyListResponse>, ProblemHttpResult>> ListApiKeys(Guid channelId, ChannelStore store, CancellationToken ct)
    {
        if (await store.GetAsync(channelId, ct) is null)
        {
            return Problems.NotFound("The channel");
        }

        var keys = await store.ListKeysAsync(channelId, ct);
        return TypedResults.Ok(new ApiKeyListResponse(keys.Select(k =>
            new ApiKeyResponse(k.Id, k.Prefix, DbTime.ToOffset(k.CreatedAt), DbTime.ToOffset(k.RevokedAt))).ToList()));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeApiKey(
        Guid channelId, Guid keyId, HttpContext http, CurrentCaller caller, ChannelStore store, TimeProvider clock, CancellationToken ct) =>
        await store.RevokeKeyAsync(channelId, keyId, DbTime.Now(clock), caller.Actor, ct) ? TypedResults.NoContent() : Problems.NotFound("The API key");

    private static ChannelResponse ToResponse(ChannelRow row) =>
        new(row.Id, row.Name, row.Status, row.RateLimitPerMinute, DbTime.ToOffset(row.CreatedAt));
}
