import { Menu, nativeImage, Tray, type NativeImage } from 'electron';
import { trayIconPng } from './icons.ts';
import { buildTrayMenu, trayMenuKey, type TrayActions } from './trayMenu.ts';
import { trayStatus, trayTooltip, type TrayState, type TrayStatus } from './trayState.ts';

/** The icon for a state at 1x and 2x; a template image on macOS so the menu bar tints it. */
export function trayImage(status: TrayStatus, platform: NodeJS.Platform = process.platform): NativeImage {
  const template = platform === 'darwin';
  // Windows' notification area wants 16 px at 100%; GNOME/KDE scale a 32 px image down crisply.
  const image = nativeImage.createEmpty();
  image.addRepresentation({ scaleFactor: 1, buffer: trayIconPng(status, 16, template) });
  image.addRepresentation({ scaleFactor: 2, buffer: trayIconPng(status, 32, template) });
  if (template) image.setTemplateImage(true);
  return image;
}

/**
 * Owns the tray icon: its look follows the state (ok / weak / cellular / offline / near cap) and its
 * menu is rebuilt only when what it shows changed, not on every rate tick.
 */
export class TrayController {
  private readonly tray: Tray;
  private readonly actions: TrayActions;
  private readonly platform: NodeJS.Platform;
  private status: TrayStatus | undefined;
  private tooltip = '';
  private menuKey = '';

  constructor(actions: TrayActions, platform: NodeJS.Platform = process.platform) {
    this.actions = actions;
    this.platform = platform;
    this.tray = new Tray(trayImage('offline', platform));
    this.tray.setToolTip('Pathwise');
    // Windows and Linux open the dashboard on a click; macOS shows the menu (its convention).
    if (platform !== 'darwin') this.tray.on('click', () => actions.openDashboard());
  }

  update(state: TrayState): void {
    const status = trayStatus(state);
    if (status !== this.status) {
      this.status = status;
      this.tray.setImage(trayImage(status, this.platform));
    }
    // The tooltip names troubled paths (weak, checking, sign-in), which change without the icon.
    const tooltip = trayTooltip(state);
    if (tooltip !== this.tooltip) {
      this.tooltip = tooltip;
      this.tray.setToolTip(tooltip);
    }
    const key = trayMenuKey(state);
    if (key !== this.menuKey) {
      this.menuKey = key;
      this.tray.setContextMenu(Menu.buildFromTemplate(buildTrayMenu(state, this.actions)));
    }
  }

  destroy(): void {
    this.tray.destroy();
  }
}
