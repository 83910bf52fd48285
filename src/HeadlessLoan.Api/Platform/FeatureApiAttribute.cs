namespace HeadlessLoan.Api.Platform;

/// <summary>
/// Marks a type that its feature offers to other features. Features reach into each other only through such types;
/// the architecture tests refuse any other reference across feature folders.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface | AttributeTargets.Enum, Inherited = false)]
public sealed class FeatureApiAttribute : Attribute;
