namespace KdDsl.CodeFixes;

/// <summary>
/// The IDs of the generator's diagnostics that have code fixes. The code fixes key on these strings only: they do not
/// reference the generator assembly, so the two can evolve separately (see generators/KdDsl.Generators/Diagnostics).
/// </summary>
internal static class DiagnosticIds
{
    public const string ClassMustBePartial = "KD0001";
    public const string MissingTeacher = "KD0002";
    public const string MissingStudent = "KD0003";
    public const string NoLossTerm = "KD0006";
    public const string NegativeWeight = "KD0007";
    public const string NonPositiveTemperature = "KD0009";
    public const string OptionNotValidForLoss = "KD0010";
    public const string DuplicateLossTerm = "KD0011";
    public const string ValueOutOfRange = "KD0014";
    public const string ConflictingOptions = "KD0015";
    public const string UnknownLayerPath = "KD0021";
    public const string LayerIndexOutOfRange = "KD0022";
    public const string UnknownSweepAxis = "KD0030";
    public const string PartWeightOutOfRange = "KD0047";
    public const string AllPartWeightsZero = "KD0048";
    public const string SkewOutOfRange = "KD0049";
    public const string StandardizationCancelsCalibration = "KD0050";
    public const string BatchTooSmallForRelations = "KD0053";
    public const string StageTrainsNothing = "KD0062";
    public const string UnknownStage = "KD0063";

    // The top-k teacher store (issue #18).
    public const string TopKStoreOptionWithoutStore = "KD0057";

    // Several teachers (issue #18).
    public const string UnknownTeacherName = "KD0066";
}
