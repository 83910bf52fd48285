using Dapper;
using HeadlessLoan.Api.Platform.Audit;
using HeadlessLoan.Api.Platform.Database;
using HeadlessLoan.Domain.Applications;
using MySqlConnector;

namespace HeadlessLoan.Api.Features.Applications;

/// <summary>What became of a submit.</summary>
public enum Submission { Submitted, NotFound, NotDraft, Incomplete }

/// <summary>What submit did; on success the application as it now is, with its documents and consent.</summary>
public sealed record SubmitResult(Submission Outcome, IReadOnlyList<string> Missing, ApplicationRow? Row, IReadOnlyList<DocumentRow> Documents, bool ConsentGiven);

/// <summary>
/// Submits applications: the status change, its outbox event and its audit record, answered at once (the intake
/// pipeline picks the event up). Submits arriving together are one group commit (<see cref="GroupCommit{TItem,TRead,TResult}"/>):
/// one read locks the batch's applications and fetches their documents and consents, each submit is decided on its own,
/// and one commit writes them all.
/// </summary>
public sealed class ApplicationSubmitter : IAsyncDisposable
{
    /// <summary>The most submits one transaction carries.</summary>
    public const int MaxBatch = 64;

    private static readonly string[] RequiredKinds = ["id_front", "id_back", "bank_card"];

    private readonly TimeProvider _clock;
    private readonly GroupCommit<Request, Batch, SubmitResult> _group;

    public ApplicationSubmitter(MySqlDataSource db, AuditTrail audit, TimeProvider clock, ILogger<ApplicationSubmitter> logger)
    {
        _clock = clock;
        // Two batches at once, so one's round trips overlap the other's commit. They lock applications in key order and
        // cannot wait on each other there; a deadlock of the read runs the batch again.
        _group = new GroupCommit<Request, Batch, SubmitResult>("application submits", db, audit, ReadAsync, Submit, MaxBatch, logger, inFlight: 2);
    }

    /// <summary>Submits application <paramref name="id"/> if <paramref name="scope"/> may see it and it is a complete draft (or returned one).</summary>
    public Task<SubmitResult> SubmitAsync(Guid id, ApplicationScope scope, AuditActor actor) => _group.RunAsync(new Request(id, scope, actor));

    /// <summary>The batch's applications locked in key order (as every writer of an application locks first), their documents and consents.</summary>
    private async Task<Batch> ReadAsync(DbChange change, IReadOnlyList<Request> requests, CancellationToken ct)
    {
        var ids = requests.Select(r => r.Id).Distinct().Order().ToArray();
        await using var results = await change.Connection.QueryMultipleAsync(new CommandDefinition($"""
            {ApplicationStore.SelectApplication} WHERE id IN @ids ORDER BY id FOR UPDATE;
            {ApplicationStore.SelectDocument} WHERE application_id IN @ids ORDER BY created_at, id;
            SELECT DISTINCT application_id FROM application_consents WHERE application_id IN @ids AND purpose = 'credit_bureau_query';
            SELECT MAX(version) FROM approval_policy_versions;
            """, new { ids }, change.Transaction, cancellationToken: ct));
        var rows = (await results.ReadAsync<ApplicationRow>()).ToDictionary(r => r.Id);
        var documents = (await results.ReadAsync<DocumentRow>()).ToLookup(d => d.ApplicationId);
        var consented = (await results.ReadAsync<Guid>()).ToHashSet();
        var policyVersion = await results.ReadSingleAsync<int?>();
        return new Batch(rows, documents, consented, policyVersion, DbTime.Now(_clock));
    }

    /// <summary>One submit, decided against the rows as locked; a second submit of the same application in the batch finds it submitted.</summary>
    private static SubmitResult Submit(DbChange change, Request request, Batch batch)
    {
        var result = Decide(request, batch);
        if (result.Outcome != Submission.Submitted)
        {
            return result;
        }

        var before = batch.Rows[request.Id];
        var after = result.Row!;
        batch.Rows[request.Id] = after;
        change.Write(UpdateSql, new { id = request.Id, status = after.Status, step = after.CurrentStep, now = batch.Now, policyVersion = batch.PolicyVersion });
        change.Outbox("application.submitted", request.Id, new { applicationId = request.Id }, batch.Now);
        change.Audit(new AuditEntry(request.Actor, "application.submitted", ApplicationStore.EntityType, request.Id.ToString(),
            new { status = before.Status }, new { status = after.Status, step = after.CurrentStep }));
        return result;
    }

    private static SubmitResult Decide(Request request, Batch batch)
    {
        if (!batch.Rows.TryGetValue(request.Id, out var row) || !request.Scope.MaySee(row))
        {
            return new SubmitResult(Submission.NotFound, [], null, [], false);
        }

        var transition = ApplicationLifecycle.Next(row.State, ApplicationEvent.Submit);
        if (!transition.Allowed)
        {
            return new SubmitResult(Submission.NotDraft, [], null, [], false);
        }

        var documents = batch.Documents[request.Id].ToList();
        var consent = batch.Consented.Contains(request.Id);
        var accepted = documents.Where(d => d.Status == "accepted").Select(d => d.Kind).ToHashSet(StringComparer.Ordinal);
        var missing = RequiredKinds.Where(k => !accepted.Contains(k)).Select(k => "documents." + k).ToList();
        if (!consent)
        {
            missing.Add("consents.credit_bureau_query");
        }

        if (missing.Count > 0)
        {
            return new SubmitResult(Submission.Incomplete, missing, null, [], false);
        }

        var submitted = row with { Status = transition.Next.ToWire(), CurrentStep = transition.Next.StepOf(), SubmittedAt = batch.Now, UpdatedAt = batch.Now };
        return new SubmitResult(Submission.Submitted, [], submitted, documents, consent);
    }

    public ValueTask DisposeAsync() => _group.DisposeAsync();

    private sealed record Request(Guid Id, ApplicationScope Scope, AuditActor Actor);

    private sealed record Batch(Dictionary<Guid, ApplicationRow> Rows, ILookup<Guid, DocumentRow> Documents, HashSet<Guid> Consented, int? PolicyVersion, DateTime Now);

    /// <summary>Records the approval policy version in force, which routes the application once it waits for approval.</summary>
    private const string UpdateSql = """
        UPDATE applications SET status = @status, current_step = @step, submitted_at = @now, updated_at = @now,
               first_submitted_at = COALESCE(first_submitted_at, @now), approval_policy_version = @policyVersion
         WHERE id = @id
        """;
}
