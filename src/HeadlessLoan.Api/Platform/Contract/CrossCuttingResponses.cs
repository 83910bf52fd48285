using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HeadlessLoan.Api.Platform.Contract;

/// <summary>
/// Describes the answers middleware gives on every operation, so endpoints need not repeat them: state-changing
/// operations take <c>Idempotency-Key</c> (400 invalid key, 409 still running, 422 reused with another body),
/// operations with a JSON body may be refused as too large (413) or not JSON (415), and every operation that answers
/// problems may be told to come back while the database cannot answer (503 <c>unavailable</c>, <c>Retry-After</c>).
/// </summary>
public sealed class CrossCuttingResponses : IOpenApiOperationTransformer
{
    private static readonly string[] IdempotencyStatuses = ["400", "409", "422"];
    private static readonly string[] BodyStatuses = ["413", "415"];
    private static readonly string[] UnavailableStatuses = ["503"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var method = context.Description.HttpMethod ?? "";
        var stateChanging = HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);
        var problem = operation.Responses?.Values
            .Select(r => r.Content is { } content && content.TryGetValue(Errors.Problems.ContentType, out var media) ? media : null)
            .FirstOrDefault(m => m is not null);
        if (problem is null)
        {
            return Task.CompletedTask;
        }

        var statuses = !stateChanging ? UnavailableStatuses
            : operation.RequestBody is null ? IdempotencyStatuses.Concat(UnavailableStatuses)
            : IdempotencyStatuses.Concat(BodyStatuses).Concat(UnavailableStatuses);
        foreach (var status in statuses)
        {
            operation.Responses!.TryAdd(status, new OpenApiResponse
            {
                Description = status,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [Errors.Problems.ContentType] = problem },
            });
        }

        return Task.CompletedTask;
    }
}
