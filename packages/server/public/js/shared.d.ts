/**
 * `/js/shared.js`: served by the API, made from @datamon/core at start-up (see the server's
 * shared-module plugin), so it is not on disk. Its types are core's own.
 */

import type * as display from '../../../core/src/display.ts';
import type * as flight from '../../../core/src/flight.ts';
import type * as status from '../../../core/src/status.ts';

export declare const STATUSES: typeof status.STATUSES;
export declare const STATUS_ICON: typeof status.STATUS_ICON;
export declare const STATUS_COLOUR: typeof status.STATUS_COLOUR;
export declare const formatDuration: typeof display.formatDuration;
export declare const coalesce: typeof flight.coalesce;
export declare const singleFlight: typeof flight.singleFlight;
