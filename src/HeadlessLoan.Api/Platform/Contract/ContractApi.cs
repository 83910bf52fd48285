using System.Text;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;
using Microsoft.OpenApi.YamlReader;

namespace HeadlessLoan.Api.Platform.Contract;

/// <summary>
/// Serves the hand-written contract (<c>openapi/headless-loan.v1.yaml</c>) as YAML and JSON, and Swagger UI on
/// top of it at <c>/docs</c>. What the framework itself describes is exposed only for the drift test.
/// </summary>
public static class ContractApi
{
    public const string DescribedDocumentName = "described";

    public static IServiceCollection AddOpenApiDescription(this IServiceCollection services)
    {
        services.AddOpenApi(DescribedDocumentName, o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
            o.AddOperationTransformer<CrossCuttingResponses>();
        });
        services.AddSingleton<ContractDocument>();
        return services;
    }

    public static WebApplication MapContract(this WebApplication app)
    {
        var contract = app.Services.GetRequiredService<ContractDocument>();
        app.MapGet("/openapi/v1.yaml", () => Results.Text(contract.Yaml, "application/yaml", Encoding.UTF8))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/openapi/v1.json", () => Results.Text(contract.Json, "application/json", Encoding.UTF8))
            .AllowAnonymous().ExcludeFromDescription();

        if (app.Configuration.GetValue<bool>("Contract:ExposeDescribed"))
        {
            app.MapOpenApi("/openapi/_described/{documentName}.json").AllowAnonymous();
        }

        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.DocumentTitle = "HeadlessLoan API";
            o.SwaggerEndpoint("/openapi/v1.json", "HeadlessLoan v1");
        });
        return app;
    }
}

/// <summary>The contract file, read and checked once at start-up; a contract that does not parse stops the start.</summary>
public sealed class ContractDocument
{
    public ContractDocument(IWebHostEnvironment environment)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "openapi", "headless-loan.v1.yaml");
        if (!File.Exists(path))
        {
            path = Path.Combine(environment.ContentRootPath, "..", "..", "openapi", "headless-loan.v1.yaml");
        }

        Yaml = File.ReadAllText(path);
        var settings = new OpenApiReaderSettings();
        settings.AddYamlReader();
        var result = OpenApiDocument.Parse(Yaml, OpenApiConstants.Yaml, settings);
        if (result.Document is null || result.Diagnostic?.Errors.Count > 0)
        {
            var errors = string.Join("; ", result.Diagnostic?.Errors.Select(e => $"{e.Pointer}: {e.Message}") ?? []);
            throw new InvalidOperationException($"The contract {path} is not valid OpenAPI: {errors}");
        }

        using var writer = new StringWriter();
        result.Document.SerializeAsV3(new OpenApiJsonWriter(writer));
        Json = writer.ToString();
    }

    public string Yaml { get; }

    public string Json { get; }
}
