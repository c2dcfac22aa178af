import 'leaflet/dist/leaflet.css';
import gcoord from 'gcoord';
import L from 'leaflet';
import { Checkbox, Empty, Input, Space } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { getOptional } from '../../api/client.ts';
import type { RowsResult } from '../../api/types.ts';
import { Loading } from '../../components/Status.tsx';
import { useI18n } from '../../i18n/index.tsx';

const TILE_KEY = 'citydata.tileUrl';
const GCJ_KEY = 'citydata.tileGcj02';
const LON = /^(lon|lng|long|longitude|x|经度)$/i;
const LAT = /^(lat|latitude|y|纬度)$/i;

type Geometry = GeoJSON.Geometry;

function asGeometry(v: unknown): Geometry | null {
  let o = v;
  if (typeof v === 'string' && v.startsWith('{')) {
    try {
      o = JSON.parse(v) as unknown;
    } catch {
      return null;
    }
  }
  if (typeof o === 'object' && o !== null && 'type' in o && ('coordinates' in o || 'geometries' in o))
    return o as Geometry;
  return null;
}

/** Turns rows into features: a GeoJSON geometry column, or a longitude/latitude pair of columns. */
export function rowsToFeatures(rows: RowsResult): GeoJSON.Feature[] {
  const names = rows.fields.map((f) => f.id);
  const lon = names.find((n) => LON.test(n));
  const lat = names.find((n) => LAT.test(n));
  const out: GeoJSON.Feature[] = [];
  for (const r of rows.records) {
    let geometry: Geometry | null = null;
    for (const n of names) {
      geometry = asGeometry(r[n]);
      if (geometry) break;
    }
    if (!geometry && lon && lat) {
      const x = Number(r[lon]);
      const y = Number(r[lat]);
      if (Number.isFinite(x) && Number.isFinite(y) && (x !== 0 || y !== 0))
        geometry = { type: 'Point', coordinates: [x, y] };
    }
    if (geometry) {
      const properties = Object.fromEntries(Object.entries(r).filter(([, v]) => asGeometry(v) === null));
      out.push({ type: 'Feature', geometry, properties });
    }
  }
  return out;
}

/** Leaflet map with no external tiles by default (offline): features on a plain background; tile URL optional. */
export default function MapTab({ resourceId }: { resourceId: string }) {
  const { t } = useI18n();
  const el = useRef<HTMLDivElement>(null);
  const [tileUrl, setTileUrl] = useState(() => localStorage.getItem(TILE_KEY) ?? '');
  const [gcj, setGcj] = useState(() => localStorage.getItem(GCJ_KEY) === '1');
  const rows = useQuery({
    queryKey: ['rows', resourceId, 'map'],
    queryFn: () => getOptional<RowsResult>(`/api/v1/resources/${resourceId}/rows`, { limit: 5000 }),
  });
  const features = rows.data ? rowsToFeatures(rows.data) : [];

  useEffect(() => {
    if (!el.current || features.length === 0) return;
    const map = L.map(el.current, { attributionControl: !!tileUrl });
    if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 19 }).addTo(map);
    // Data is stored in WGS-84; Chinese tile services draw in GCJ-02, so shift only for display.
    const collection: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features };
    type GcoordInput = Parameters<typeof gcoord.transform>[0];
    const shown = gcj
      ? (gcoord.transform(
          collection as unknown as GcoordInput,
          gcoord.WGS84,
          gcoord.GCJ02,
        ) as unknown as GeoJSON.FeatureCollection)
      : collection;
    const layer = L.geoJSON(shown, {
      pointToLayer: (_f, latlng) =>
        L.circleMarker(latlng, { radius: 5, color: '#0b57d0', weight: 1, fillOpacity: 0.7 }),
      style: { color: '#0b57d0', weight: 2, fillOpacity: 0.2 },
      onEachFeature: (f, l) => {
        const props = (f.properties ?? {}) as Record<string, unknown>;
        const div = document.createElement('div');
        for (const [k, v] of Object.entries(props).slice(0, 12)) {
          const line = document.createElement('div');
          line.textContent = `${k}: ${v === null || v === undefined ? '' : String(v)}`;
          div.appendChild(line);
        }
        l.bindPopup(div);
      },
    }).addTo(map);
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16] });
    else map.setView([30, 114], 4);
    return () => {
      map.remove();
    };
    // features is derived from rows.data: depend on the data, not on the array identity.
  }, [rows.data, tileUrl, gcj]);

  if (rows.isLoading) return <Loading />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap>
        <Input
          aria-label={t('dataset.tileUrl')}
          placeholder={`${t('dataset.tileUrl')}: https://…/{z}/{x}/{y}.png`}
          style={{ width: 360 }}
          defaultValue={tileUrl}
          onBlur={(e) => {
            localStorage.setItem(TILE_KEY, e.target.value.trim());
            setTileUrl(e.target.value.trim());
          }}
        />
        <Checkbox
          checked={gcj}
          onChange={(e) => {
            localStorage.setItem(GCJ_KEY, e.target.checked ? '1' : '0');
            setGcj(e.target.checked);
          }}
        >
          GCJ-02
        </Checkbox>
      </Space>
      {features.length === 0 ? (
        <Empty description={t('dataset.noGeo')} />
      ) : (
        <div ref={el} className="cd-map" data-testid="map" />
      )}
    </Space>
  );
}
