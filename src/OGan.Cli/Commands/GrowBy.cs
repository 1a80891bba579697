namespace OGan.Cli;

/// <summary>How `ogan train --grow-from` adds its new blocks (OGan.Training.Growth).</summary>
internal enum GrowBy
{
    /// <summary>The new blocks fade in over --fade images and replace the old image layers (ProGAN).</summary>
    Fade,

    /// <summary>The old image layers stay as skips, the new blocks start silent and add to them (StyleGAN2's skip architecture).</summary>
    Skip,
}
