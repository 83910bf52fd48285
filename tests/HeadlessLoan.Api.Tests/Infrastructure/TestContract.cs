using NSwag;

namespace HeadlessLoan.Api.Tests.Infrastructure;

/// <summary>The contract as the tests read it (copied beside the test assembly), parsed once for the whole run.</summary>
public static class TestContract
{
    private static readonly Lazy<Task<OpenApiDocument>> Document = new(() =>
        OpenApiYamlDocument.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "openapi", "headless-loan.v1.yaml")));

    public static Task<OpenApiDocument> ReadAsync() => Document.Value;

    /// <summary>For theory data, which is built synchronously.</summary>
    public static OpenApiDocument Read() => Document.Value.GetAwaiter().GetResult();
}
