/** The web view: pages served by the bridge that show the bench live through socket.io. */
export { dashboardPlugin, bundleClient } from './dashboard-plugin.js';
