namespace HeadlessLoan.Api.Platform.Database;

/// <summary>Data a feature needs before the server takes requests, written once the schema is current (e.g. the first admin).</summary>
public interface IStartupSeed
{
    Task SeedAsync(CancellationToken ct);
}
