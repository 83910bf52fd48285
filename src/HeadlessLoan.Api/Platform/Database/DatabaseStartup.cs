using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Platform.Database;

/// <summary>Readiness flag: set once this instance has seen every migration applied.</summary>
public sealed class MigrationState
{
    private volatile bool _applied;

    public bool Applied => _applied;

    public void MarkApplied() => _applied = true;
}

/// <summary>Brings the schema up to date and creates the first admin before the server takes requests.</summary>
public sealed class DatabaseStartup(
    MigrationRunner runner,
    MigrationState state,
    IEnumerable<IStartupSeed> seeds,
    IOptions<DatabaseOptions> options,
    IOptions<StorageOptions> storage) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.CreateIfMissing)
        {
            await MigrationRunner.CreateDatabaseIfMissingAsync(storage.Value.MigrationConnection, cancellationToken);
        }

        if (options.Value.MigrateOnStart)
        {
            await runner.ApplyAsync(cancellationToken);
        }

        if (await runner.AllAppliedAsync(cancellationToken))
        {
            state.MarkApplied();
            foreach (var seed in seeds)
            {
                await seed.SeedAsync(cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
