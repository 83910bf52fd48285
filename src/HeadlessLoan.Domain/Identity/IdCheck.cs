namespace HeadlessLoan.Domain.Identity;

/// <summary>The outcome of <see cref="ResidentIdNumber.Check"/>: either an id or an error code from <see cref="IdErrorCodes"/>.</summary>
public sealed record IdCheck(ResidentIdNumber? Id, string? ErrorCode);
