using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using HeadlessLoan.Api.Features.Applications;
using HeadlessLoan.Api.Integrations.Blobs;
using HeadlessLoan.Api.Tests.Applications;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadlessLoan.Api.Tests.Blobs;

/// <summary>The service with <c>Blobs:Provider=S3</c> on a bucket that does not exist until the service starts.</summary>
public sealed class S3ApplicationsApiFactory : ApiFactory
{
    public string Bucket { get; } = TestBuckets.NewName();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Pipeline:Enabled"] = "false",
        ["Blobs:Provider"] = "S3",
        ["Blobs:S3:ServiceUrl"] = TestServers.S3,
        ["Blobs:S3:Bucket"] = Bucket,
        ["Blobs:S3:AccessKey"] = TestServers.S3Options(Bucket).AccessKey,
        ["Blobs:S3:SecretKey"] = TestServers.S3Options(Bucket).SecretKey,
    };

    protected override async Task DeleteBlobsAsync()
    {
        await base.DeleteBlobsAsync();
        await TestBuckets.DeleteAsync(Bucket);
    }
}

public sealed class S3DocumentStorageTests(S3ApplicationsApiFactory api) : IClassFixture<S3ApplicationsApiFactory>
{
    private static readonly Dictionary<string, string> SampleOf = new()
    {
        ["id_front"] = "id-front-valid",
        ["id_back"] = "id-back-valid",
        ["bank_card"] = "card-valid",
    };

    [Fact]
    public async Task TheWholeIntakeRunsWithDocumentsKeptAsCiphertextInTheBucket()
    {
        var productId = await api.CreateProductIdAsync();
        using var borrower = await api.CreateBorrowerClientAsync();
        var id = (await borrower.CreateApplicationAsync(productId)).GetProperty("id").GetGuid();

        await borrower.CompleteAsync(id);
        await (await borrower.PostAsync($"/v1/applications/{id}/submit", null)).AssertStatusAsync(HttpStatusCode.Accepted);

        await using var db = await api.OpenDatabaseAsync();
        var documents = (await db.QueryAsync<(string Kind, string Key)>(
            "SELECT kind, blob_key FROM application_documents WHERE application_id = @id", new { id })).ToList();
        Assert.Equal(3, documents.Count);
        var images = api.Services.GetRequiredService<DocumentImages>();
        foreach (var (kind, key) in documents)
        {
            var stored = await TestBuckets.ReadObjectAsync(api.Bucket, key);
            Intake.AssertIsNoImage(stored);
            Assert.Equal(Intake.Sample(SampleOf[kind]), await images.ReadAsync(key, default));
        }

        Assert.False(Directory.Exists(api.BlobRoot), "nothing is written to the local directory");
    }

    [Fact]
    public async Task IncompleteS3SettingsStopTheStartNamingEachOne()
    {
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?>
        {
            ["Blobs:Provider"] = "S3",
            ["Blobs:S3:ServiceUrl"] = "minio:9000",
            ["Blobs:S3:Bucket"] = "Documents_Bucket",
            ["Blobs:S3:TimeoutSeconds"] = "0",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => factory.Server);

        Assert.Equal(
            ["Blobs:S3:ServiceUrl", "Blobs:S3:Bucket", "Blobs:S3:AccessKey", "Blobs:S3:SecretKey", "Blobs:S3:TimeoutSeconds"],
            failure.Failures.Select(f => Regex.Match(f, @"Blobs:S3:\w+").Value));
    }

    [Fact]
    public async Task TheLocalDirectoryProviderNeedsNoS3Settings()
    {
        await using var factory = new SettingsApiFactory(new Dictionary<string, string?>
        {
            ["Blobs:Provider"] = "LocalDirectory",
            ["Blobs:S3:ServiceUrl"] = "not a url",
        });

        Assert.IsType<LocalDirectoryBlobStore>(factory.Services.GetRequiredService<IBlobStore>());
    }

    /// <summary>Started (or refused) inside the test; disposed like a class fixture.</summary>
    private sealed class SettingsApiFactory(IReadOnlyDictionary<string, string?> settings) : ApiFactory, IAsyncDisposable
    {
        protected override IReadOnlyDictionary<string, string?> Settings => settings;

        async ValueTask IAsyncDisposable.DisposeAsync() => await ((IAsyncLifetime)this).DisposeAsync();
    }
}
