using Dapper;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadlessLoan.Api.Tests.Database;

public sealed class MigrationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task SchemaMigrationsRecordsEveryEmbeddedMigrationWithItsChecksum()
    {
        var embedded = MigrationRunner.Embedded();
        await using var db = await api.OpenDatabaseAsync();

        var recorded = (await db.QueryAsync<(string Version, string Checksum)>("SELECT version, checksum FROM schema_migrations"))
            .ToDictionary(r => r.Version, r => r.Checksum, StringComparer.Ordinal);

        Assert.NotEmpty(embedded);
        Assert.Contains(embedded, m => m.Version == "0001_foundation");
        Assert.Equal(embedded.Select(m => m.Version).Order(StringComparer.Ordinal), recorded.Keys.Order(StringComparer.Ordinal));
        Assert.All(embedded, m => Assert.Equal(m.Checksum, recorded[m.Version]));
        Assert.All(recorded.Values, c => Assert.Matches("^[0-9a-f]{64}$", c));
    }

    [Fact]
    public async Task ApplyingAgainOverAnUnchangedHistoryIsANoOp()
    {
        var runner = api.Services.GetRequiredService<MigrationRunner>();

        await runner.ApplyAsync(CancellationToken.None);

        Assert.True(await runner.AllAppliedAsync(CancellationToken.None));
    }

    [Fact]
    public async Task AChangedChecksumStopsTheRunnerNamingTheMigration()
    {
        var migration = MigrationRunner.Embedded()[0];
        var runner = api.Services.GetRequiredService<MigrationRunner>();
        await using var db = await api.OpenDatabaseAsync();
        await db.ExecuteAsync("UPDATE schema_migrations SET checksum = @tampered WHERE version = @version",
            new { tampered = new string('0', 64), version = migration.Version });
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runner.ApplyAsync(CancellationToken.None));

            Assert.Contains(migration.Version, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await db.ExecuteAsync("UPDATE schema_migrations SET checksum = @checksum WHERE version = @version",
                new { checksum = migration.Checksum, version = migration.Version });
        }
    }
}
