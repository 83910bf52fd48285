using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Integrations.Blobs;

public static class BlobSetup
{
    /// <summary>The store named by <c>Blobs:Provider</c>; with S3, the bucket is created at start-up when allowed.</summary>
    public static IServiceCollection AddBlobStore(this IServiceCollection services)
    {
        services.AddOptions<BlobOptions>().BindConfiguration(BlobOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IBlobStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<BlobOptions>>().Value;
            return options.Provider switch
            {
                BlobProvider.S3 => new S3BlobStore(options.S3),
                _ => new LocalDirectoryBlobStore(string.IsNullOrWhiteSpace(options.Root)
                    ? Path.Combine(sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath, ".local", "blobs")
                    : options.Root),
            };
        });
        services.AddHostedService<BucketStartup>();
        return services;
    }
}

internal sealed class BucketStartup(IBlobStore store, IOptions<BlobOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        store is S3BlobStore s3 && options.Value.S3.CreateBucket ? s3.EnsureBucketAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
