using HeadlessLoan.Api.Platform.Secrets;
using HeadlessLoan.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace HeadlessLoan.Api.Tests.Secrets;

public sealed class PublishedSecretsTests
{
    [Fact]
    public void EverySecretPublishedInTheComposeFileAndTheDevelopmentSettingsIsKnown()
    {
        // One per kind of secret each file publishes: the list is read from the files, not written beside them.
        Assert.Superset(new HashSet<string>
        {
            "dev-only-db-password", "dev-only-migrator-password", "dev-only-app-secret", "dev-only-bureau-key", "dev-only-minio-password",
            "dev-only-admin-password", "dev-only-NOT-A-SECRET-hl-signing-key-replace-before-production-0",
            "ZGV2ZWxvcG1lbnQtb25seS1rZXktZG8tbm90LXVzZSE=", "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS1kby1ub3QtdXNlIQ==",
            "development-only-signing-key-change-me-0123456789abcdef0123456789", "development-only-admin-password",
            "development-only-app-secret", "development-only-bureau-key",
        }, PublishedSecrets.Values.ToHashSet());
        Assert.DoesNotContain("wx_sandbox_app", PublishedSecrets.Values); // an id, not a secret
        Assert.DoesNotContain("headless_loan", PublishedSecrets.Values);
    }

    [Fact]
    public void SettingsHoldingAPublishedSecretAreNamed_ConnectionStringsIncluded()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = "development-only-signing-key-change-me-0123456789abcdef0123456789",
            ["ConnectionStrings:Database"] = "Server=db;User ID=headless_loan;Password=dev-only-db-password",
            ["Bootstrap:AdminPassword"] = "a-password-of-our-own-1",
            ["Bootstrap:AdminUsername"] = "admin",
        }).Build();

        Assert.Equal(["Auth:SigningKey", "ConnectionStrings:Database"], PublishedSecrets.FoundIn(configuration));
    }

    [Fact]
    public void OutsideDevelopmentAPublishedSecretStopsTheStart_InDevelopmentItDoesNot()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PersonalData:HashKey"] = "ZGV2ZWxvcG1lbnQtb25seS1oYXNoLWtleS1kby1ub3QtdXNlIQ==",
        }).Build();

        var refused = Assert.Throws<InvalidOperationException>(() => PublishedSecrets.RefuseOutsideDevelopment(configuration, new Environment("Production")));
        Assert.Contains("PersonalData:HashKey", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ZGV2ZWxvcG1lbnQ", refused.Message, StringComparison.Ordinal);
        PublishedSecrets.RefuseOutsideDevelopment(configuration, new Environment("Development"));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "HeadlessLoan.Api";

        public string ContentRootPath { get; set; } = "";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}

/// <summary>The real start-up, outside Development, with the compose file's published admin password.</summary>
public sealed class PublishedSecretAtStartTests
{
    [Fact]
    public void TheServiceRefusesToStart()
    {
        using var factory = new PublishedAdminPasswordFactory();

        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Bootstrap:AdminPassword", Flatten(refused), StringComparison.Ordinal);
    }

    private static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " " + Flatten(e.InnerException);

    private sealed class PublishedAdminPasswordFactory : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings =>
            new Dictionary<string, string?> { ["Bootstrap:AdminPassword"] = "dev-only-admin-password" };
    }
}
